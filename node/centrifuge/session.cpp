#include "session.h"

#include "hub.h"

#include <common/json/jsonwriter.h>
#include <common/pusher/channelname.h>
#include <node/logging.h>
#include <node/transport/framewriter.h>

#include <QDateTime>
#include <QJsonArray>
#include <QUuid>

namespace DNotifier::Centrifuge {

using namespace Qt::Literals::StringLiterals;

namespace {

// Allowed for nbf and iat, whose issuer's clock may run a little ahead of ours. exp gets none,
// as in Centrifugo: a token accepted past its exp would be closed again moments later.
constexpr qint64 TokenClockSkewSeconds = 5;

qint64 nowSeconds()
{
    return QDateTime::currentSecsSinceEpoch();
}

bool isExpiredToken(const Error &error)
{
    const auto kind = Tokens::jwtErrorOf(error);
    return kind == Tokens::JwtError::Expired || kind == Tokens::JwtError::NotYetValid;
}

RecoverRequest recoverFrom(const QJsonObject &object)
{
    RecoverRequest recover;
    recover.recover = object.value("recover"_L1).toBool();
    // centrifuge-js leaves the offset out when it is 0.
    recover.offset = quint64(qMax<qint64>(0, object.value("offset"_L1).toInteger()));
    recover.epoch = object.value("epoch"_L1).toString();
    return recover;
}

bool hasControlCharacters(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() < 0x20; });
}

} // namespace

Session::Session(std::unique_ptr<WebSocket::Connection> socket,
                 Broker::ConnectionId id,
                 const Config::AppSettings &app,
                 std::shared_ptr<const Tokens::KeySet> tokenKeys,
                 Hub *hub,
                 const SessionTimings &timings,
                 Transport::SessionEnd *owner,
                 QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_owner(owner)
    , m_id(id)
    , m_app(app)
    , m_hub(hub)
    , m_timings(timings)
    , m_keys(std::move(tokenKeys))
    , m_clientId(QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_verifyOptions.leeway = TokenClockSkewSeconds;
    m_verifyOptions.audience = m_app.tokenAudience;
    m_verifyOptions.issuer = m_app.tokenIssuer;
    m_socket->setMaxMessageBytes(m_app.maxMessageBytes);
}

Session::~Session() = default;

void Session::binaryReceived()
{
    close(DisconnectCode::BadRequest, u"binary frames are not supported"_s);
}

void Session::disconnected()
{
    m_open = false;
    m_owner->sessionEnded(m_id);
}

void Session::start()
{
    m_startedMs = QDateTime::currentMSecsSinceEpoch();
    m_socket->start(this);
}

void Session::send(const Transport::OutgoingFrame &frame)
{
    if (!m_open) {
        return;
    }
    const Transport::WriteOutcome outcome =
            Transport::writeFrame(*m_socket, frame, m_app.maxOutboundBytes, m_metrics);
    if (outcome.overLimit) {
        qCWarning(lcCentrifuge) << "slow consumer disconnected"
                                << "conn=" << m_id << "pending_bytes=" << outcome.unsent;
        close(DisconnectCode::Slow, u"slow"_s);
    }
}

void Session::close(int code, const QString &reason)
{
    if (!m_open) {
        return;
    }
    qCDebug(lcCentrifuge) << "closing"
                          << "conn=" << m_id << "code=" << code << reason;
    m_open = false;
    m_socket->close(quint16(code), reason);
}

void Session::checkActivity(qint64 now)
{
    if (!m_open) {
        return;
    }
    if (!m_connected) {
        if (now - m_startedMs >= m_timings.staleMs) {
            close(DisconnectCode::Stale, u"stale"_s);
        }
        return;
    }
    if (m_expiresAt > 0 && now > m_expiresAt * 1000 + m_timings.expiryGraceMs) {
        close(DisconnectCode::ConnectionExpired, u"connection expired"_s);
        return;
    }
    expireSubscriptions(now);
    if (m_pingSentMs > 0 && now - m_pingSentMs >= m_timings.pongMs) {
        close(DisconnectCode::NoPong, u"no pong"_s);
        return;
    }
    if (now - m_lastPingMs >= m_timings.pingMs) {
        m_lastPingMs = now;
        m_pingSentMs = now;
        // Straight to the socket: a ping needs no order with replies.
        send(Transport::serverTextFrame(Pushes::ping()));
    }
}

void Session::expireSubscriptions(qint64 now)
{
    for (auto it = m_subscriptionExpiry.begin(); it != m_subscriptionExpiry.end();) {
        if (now <= it.value() * 1000 + m_timings.expiryGraceMs) {
            ++it;
            continue;
        }
        post([hub = m_hub, id = m_id, channel = it.key()] {
            hub->expireSubscription(id, channel);
        });
        it = m_subscriptionExpiry.erase(it);
    }
}

void Session::textReceived(const QByteArray &message)
{
    Observability::countClientMessage(m_metrics, message.size());
    if (!m_open) {
        return;
    }
    const Result<QList<Command>> commands = parseFrame(message);
    if (!commands) {
        qCInfo(lcCentrifuge) << "bad frame"
                             << "conn=" << m_id << commands.error().message;
        close(DisconnectCode::BadRequest, u"bad request"_s);
        return;
    }
    if (!m_requestRate.take(QDateTime::currentMSecsSinceEpoch(), m_app.maxMessagesPerSecond,
                            int(commands->size()))) {
        qCWarning(lcCentrifuge) << "client over the request rate, disconnected"
                                << "conn=" << m_id;
        close(DisconnectCode::TooManyRequests, u"too many requests"_s);
        return;
    }
    for (const Command &command : commands.value()) {
        if (!handle(command)) {
            return;
        }
    }
}

bool Session::handle(const Command &command)
{
    if (command.method == Method::Pong) {
        m_pingSentMs = 0;
        return true;
    }
    if (!m_connected) {
        if (command.method != Method::Connect) {
            close(DisconnectCode::BadRequest, u"bad request"_s);
            return false;
        }
        return handleConnect(command);
    }
    switch (command.method) {
    case Method::Connect:
        close(DisconnectCode::BadRequest, u"bad request"_s);
        return false;
    case Method::Subscribe:
        handleSubscribe(command);
        break;
    case Method::Unsubscribe: {
        const QString channel = command.request.value("channel"_L1).toString();
        m_subscriptionExpiry.remove(channel);
        post([hub = m_hub, id = m_id, commandId = command.id, channel] {
            hub->unsubscribe(id, commandId, channel);
        });
        break;
    }
    case Method::Publish:
        handlePublish(command);
        break;
    case Method::Presence:
    case Method::PresenceStats:
    case Method::History:
        handleReadCommand(command);
        break;
    case Method::Refresh:
        handleRefresh(command);
        break;
    case Method::SubRefresh:
        handleSubRefresh(command);
        break;
    case Method::Rpc:
        replyError(command.id, ErrorCode::MethodNotFound, u"method not found"_s);
        break;
    case Method::Ping:
        replyError(command.id, ErrorCode::NotAvailable, u"not available"_s);
        break;
    case Method::Send:
    case Method::Pong:
        break;
    }
    return true;
}

bool Session::handleConnect(const Command &command)
{
    const auto claims = verifyToken(command.request.value("token"_L1));
    if (!claims) {
        if (isExpiredToken(claims.error())) {
            replyError(command.id, ErrorCode::TokenExpired, u"token expired"_s);
            return false;
        }
        qCInfo(lcCentrifuge) << "connect refused"
                             << "conn=" << m_id << claims.error().message;
        close(DisconnectCode::InvalidToken, u"invalid token"_s);
        return false;
    }
    if (claims->payload.contains("channel"_L1)) {
        close(DisconnectCode::InvalidToken, u"invalid token"_s);
        return false;
    }
    ConnectRequest request;
    request.commandId = command.id;
    request.appId = m_app.id;
    request.clientId = m_clientId;
    request.user = claims->subject;
    const QJsonValue info = claims->payload.value("info"_L1);
    request.connInfo = info.isUndefined() ? QByteArray() : rawJson(info);
    for (const QJsonValue &channel : claims->payload.value("channels"_L1).toArray()) {
        if (channel.isString() && !channel.toString().isEmpty()) {
            request.serverChannels.append(channel.toString());
        }
    }
    const QJsonObject subs = command.request.value("subs"_L1).toObject();
    for (auto it = subs.constBegin(); it != subs.constEnd(); ++it) {
        request.recover.insert(it.key(), recoverFrom(it.value().toObject()));
    }
    request.expiresAt = claims->expiresAt.value_or(0);
    request.pingSeconds = int(m_timings.pingMs / 1000);

    m_connected = true;
    m_user = request.user;
    m_expiresAt = request.expiresAt;
    m_lastPingMs = QDateTime::currentMSecsSinceEpoch();
    post([hub = m_hub, id = m_id, request] { hub->connectClient(id, request); });
    return true;
}

void Session::handleSubscribe(const Command &command)
{
    const QString channel = command.request.value("channel"_L1).toString();
    const auto space = namespaceFor(channel);
    if (!space) {
        replyError(command.id, space.error().code, space.error().message);
        return;
    }
    SubscribeRequest request;
    request.commandId = command.id;
    request.channel = channel;
    request.recover = recoverFrom(command.request);
    request.joinLeave = command.request.value("join_leave"_L1).toBool();
    const QJsonValue token = command.request.value("token"_L1);
    if (requiresSubscriptionToken(channel, *space) || !token.toString().isEmpty()) {
        const auto claims = verifyToken(token);
        if (!claims) {
            const bool expired = isExpiredToken(claims.error());
            replyError(command.id, expired ? ErrorCode::TokenExpired : ErrorCode::PermissionDenied,
                       expired ? u"token expired"_s : u"permission denied"_s);
            return;
        }
        if (claims->payload.value("channel"_L1).toString() != channel
            || claims->subject != m_user) {
            close(DisconnectCode::InvalidToken, u"invalid token"_s);
            return;
        }
        const QJsonValue info = claims->payload.value("info"_L1);
        request.chanInfo = info.isUndefined() ? QByteArray() : rawJson(info);
        request.expiresAt = claims->expiresAt.value_or(0);
        if (request.expiresAt > 0) {
            m_subscriptionExpiry.insert(channel, request.expiresAt);
        }
    }
    post([hub = m_hub, id = m_id, request] { hub->subscribe(id, request); });
}

void Session::handlePublish(const Command &command)
{
    const QString channel = command.request.value("channel"_L1).toString();
    const auto space = namespaceFor(channel);
    if (!space) {
        replyError(command.id, space.error().code, space.error().message);
        return;
    }
    if (!space->allowPublish) {
        replyError(command.id, ErrorCode::PermissionDenied, u"permission denied"_s);
        return;
    }
    const QJsonValue data = command.request.value("data"_L1);
    if (data.isUndefined()) {
        replyError(command.id, ErrorCode::BadRequest, u"bad request: publish needs data"_s);
        return;
    }
    const QByteArray raw = command.rawData.isEmpty() ? rawJson(data) : command.rawData;
    if (raw.size() > m_app.maxEventPayloadBytes) {
        replyError(command.id, ErrorCode::LimitExceeded,
                   u"limit exceeded: data is %1 bytes, the limit is %2"_s.arg(raw.size())
                           .arg(m_app.maxEventPayloadBytes));
        return;
    }
    // A channel that needs a subscription token takes publications only from its subscribers.
    const bool subscribersOnly = requiresSubscriptionToken(channel, *space);
    post([hub = m_hub, id = m_id, commandId = command.id, channel, raw, subscribersOnly] {
        hub->publish(id, commandId, channel, raw, subscribersOnly);
    });
}

void Session::handleReadCommand(const Command &command)
{
    const QString channel = command.request.value("channel"_L1).toString();
    const auto space = namespaceFor(channel);
    if (!space) {
        replyError(command.id, space.error().code, space.error().message);
        return;
    }
    if (command.method == Method::History) {
        if (space->historySize <= 0) {
            replyError(command.id, ErrorCode::NotAvailable, u"not available"_s);
            return;
        }
        HistoryRequest request;
        request.commandId = command.id;
        request.channel = channel;
        request.limit = command.request.value("limit"_L1).toInt();
        request.reverse = command.request.value("reverse"_L1).toBool();
        if (command.request.contains("since"_L1)) {
            request.since = recoverFrom(command.request.value("since"_L1).toObject());
        }
        post([hub = m_hub, id = m_id, request] { hub->history(id, request); });
        return;
    }
    if (!space->presence) {
        replyError(command.id, ErrorCode::NotAvailable, u"not available"_s);
        return;
    }
    const bool stats = command.method == Method::PresenceStats;
    post([hub = m_hub, id = m_id, commandId = command.id, channel, stats] {
        hub->presence(id, commandId, channel, stats);
    });
}

void Session::handleRefresh(const Command &command)
{
    const auto claims = verifyToken(command.request.value("token"_L1));
    if (!claims) {
        if (isExpiredToken(claims.error())) {
            close(DisconnectCode::ConnectionExpired, u"connection expired"_s);
        } else {
            close(DisconnectCode::InvalidToken, u"invalid token"_s);
        }
        return;
    }
    if (claims->subject != m_user) {
        close(DisconnectCode::InvalidToken, u"invalid token"_s);
        return;
    }
    m_expiresAt = claims->expiresAt.value_or(0);
    Json::ObjectWriter result;
    result.string("client"_L1, m_clientId)
            .string("version"_L1, QStringLiteral("dnotifier " DNOTIFIER_VERSION));
    if (m_expiresAt > 0) {
        result.boolean("expires"_L1, true)
                .integer("ttl"_L1, qMax<qint64>(0, m_expiresAt - nowSeconds()));
    }
    reply(Replies::result(command.id, Method::Refresh, result.finish()));
}

void Session::handleSubRefresh(const Command &command)
{
    const QString channel = command.request.value("channel"_L1).toString();
    const auto claims = verifyToken(command.request.value("token"_L1));
    if (!claims || claims->payload.value("channel"_L1).toString() != channel
        || claims->subject != m_user) {
        replyError(command.id, ErrorCode::PermissionDenied, u"permission denied"_s);
        return;
    }
    Json::ObjectWriter result;
    if (!claims->expiresAt) {
        m_subscriptionExpiry.remove(channel);
    } else {
        const qint64 expiresAt = *claims->expiresAt;
        if (m_subscriptionExpiry.contains(channel)) {
            m_subscriptionExpiry.insert(channel, expiresAt);
        }
        result.boolean("expires"_L1, true)
                .integer("ttl"_L1, qMax<qint64>(0, expiresAt - nowSeconds()));
    }
    reply(Replies::result(command.id, Method::SubRefresh, result.finish()));
}

Result<Tokens::Claims> Session::verifyToken(const QJsonValue &token) const
{
    const QString text = token.toString();
    if (text.isEmpty()) {
        return Tokens::jwtError(Tokens::JwtError::Malformed, u"no token"_s);
    }
    const qint64 now = nowSeconds();
    auto claims = Tokens::verify(text.toUtf8(), *m_keys, now, m_verifyOptions);
    if (claims && claims->expiresAt && *claims->expiresAt <= now) {
        return Tokens::jwtError(Tokens::JwtError::Expired, u"token expired"_s);
    }
    return claims;
}

Result<Config::NamespaceSettings> Session::namespaceFor(const QString &channel) const
{
    if (channel.isEmpty() || channel.size() > m_app.maxChannelNameLength
        || hasControlCharacters(channel)) {
        return Error{ErrorCode::BadRequest, u"bad request: invalid channel name"_s};
    }
    const Config::NamespaceSettings *space = m_app.namespaceOf(channel);
    if (!space) {
        return Error{ErrorCode::UnknownChannel, u"unknown channel"_s};
    }
    return *space;
}

bool Session::requiresSubscriptionToken(const QString &channel,
                                        const Config::NamespaceSettings &space) const
{
    // Channels that Pusher clients reach only with a signature stay protected here too.
    return !space.allowSubscribe || channel.startsWith(u'$')
           || Pusher::channelType(channel).kind != Pusher::ChannelKind::Public;
}

void Session::reply(const QByteArray &frame)
{
    post([hub = m_hub, id = m_id, frame] { hub->relay(id, frame); });
}

void Session::replyError(quint32 id, int code, const QString &message)
{
    reply(Replies::error(id, code, message));
}

template<typename Function>
void Session::post(Function &&function)
{
    // Queued even when the hub shares this thread, so requests reach it in arrival order.
    QMetaObject::invokeMethod(m_hub, std::forward<Function>(function), Qt::QueuedConnection);
}

} // namespace DNotifier::Centrifuge
