#include "session.h"

#include "hub.h"

#include <common/crypto/digest.h>
#include <common/pusher/channelname.h>
#include <common/pusher/signatures.h>
#include <node/logging.h>
#include <node/transport/framewriter.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace DNotifier::Pusher {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int MaxWatchlist = 100;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Pusher compares user ids as strings; clients send numbers too.
std::optional<QString> userIdFrom(const QJsonValue &value)
{
    if (value.isString() && !value.toString().isEmpty()) {
        return value.toString();
    }
    if (value.isDouble()) {
        // Only integers a double holds exactly: beyond 2^53 two different ids could merge.
        constexpr double ExactLimit = 9007199254740992.0;
        const double number = value.toDouble();
        if (std::abs(number) < ExactLimit && number == std::trunc(number)) {
            return QString::number(qint64(number));
        }
    }
    return std::nullopt;
}

} // namespace

Session::Session(std::unique_ptr<WebSocket::Connection> socket,
                 Broker::ConnectionId id,
                 const Config::AppSettings &app,
                 Hub *hub,
                 const SessionTimeouts &timeouts,
                 Transport::SessionEnd *owner,
                 QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_owner(owner)
    , m_id(id)
    , m_app(app)
    , m_hub(hub)
    , m_timeouts(timeouts)
    , m_socketId(QByteArray::number(id) + '.' + QByteArray::number(Crypto::randomUInt32()))
{
    m_socket->setMaxMessageBytes(m_app.maxMessageBytes);
}

Session::~Session() = default;

void Session::binaryReceived()
{
    reply(Frames::error(std::nullopt, u"Binary frames are not supported; send JSON text"_s));
}

void Session::bytesArrived()
{
    // Any bytes from the client count as activity, WebSocket pings and pongs included.
    markActivity();
}

void Session::disconnected()
{
    m_open = false;
    m_owner->sessionEnded(m_id);
}

void Session::start()
{
    markActivity();
    const QString appId = m_app.id;
    const QByteArray socketId = m_socketId;
    const Broker::ConnectionId id = m_id;
    post([hub = m_hub, id, appId, socketId] { hub->openConnection(id, appId, socketId); });
    sendFrame(Frames::connectionEstablished(m_socketId, int(m_timeouts.activityMs / 1000)));
    // Frames the client sent right after the handshake come after connection_established.
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
        qCWarning(lcPusher) << "slow consumer disconnected"
                            << "conn=" << m_id << "pending_bytes=" << outcome.unsent;
        // 4100: over capacity, reconnect after a back-off.
        close(4100, u"Slow consumer: output buffer full"_s);
    }
}

void Session::close(int code, const QString &reason)
{
    if (!m_open) {
        return;
    }
    m_open = false;
    m_socket->close(quint16(code), reason);
}

void Session::checkActivity(qint64 now)
{
    if (!m_open) {
        return;
    }
    if (m_pingSentMs > 0) {
        if (now - m_pingSentMs >= m_timeouts.pongMs) {
            qCInfo(lcPusher) << "closing silent connection"
                             << "conn=" << m_id;
            close(4201, u"Pong reply not received"_s);
        }
        return;
    }
    if (now - m_lastHeardMs >= m_timeouts.activityMs) {
        m_pingSentMs = now;
        sendFrame(Frames::ping());
    }
}

void Session::textReceived(const QByteArray &message)
{
    Observability::countClientMessage(m_metrics, message.size());
    markActivity();
    if (!m_open) {
        return;
    }
    if (!m_requestRate.take(nowMs(), m_app.maxMessagesPerSecond)) {
        qCWarning(lcPusher) << "client over the request rate, disconnected"
                            << "conn=" << m_id;
        close(4100,
              u"Too many messages: more than %1 per second"_s.arg(m_app.maxMessagesPerSecond));
        return;
    }
    const Result<ClientFrame> frame = parseClientFrame(message);
    if (!frame) {
        logBadInput(frame.error().message);
        reply(Frames::error(std::nullopt, frame.error().message));
        return;
    }
    dispatch(*frame);
}

void Session::dispatch(const ClientFrame &frame)
{
    const QString &event = frame.event;
    if (event == "pusher:ping"_L1) {
        reply(Frames::pong());
    } else if (event == "pusher:pong"_L1) {
        return;
    } else if (event == "pusher:subscribe"_L1) {
        handleSubscribe(frame.data);
    } else if (event == "pusher:unsubscribe"_L1) {
        handleUnsubscribe(frame.data);
    } else if (event == "pusher:signin"_L1) {
        handleSignin(frame.data);
    } else if (event.startsWith("client-"_L1)) {
        handleClientEvent(frame);
    } else {
        reply(Frames::error(std::nullopt, u"Unknown event %1"_s.arg(event.left(200))));
    }
}

void Session::handleSubscribe(const QJsonValue &data)
{
    const QJsonObject object = data.toObject();
    const QJsonValue channelValue = object.value("channel"_L1);
    if (!data.isObject() || !channelValue.isString()) {
        reply(Frames::error(std::nullopt, u"pusher:subscribe needs data with a string channel"_s));
        return;
    }
    const QString channel = channelValue.toString();
    const Result<void> valid = validateChannelName(channel, m_app.maxChannelNameLength);
    if (!valid) {
        logBadInput(valid.error().message);
        reply(Frames::subscriptionError(channel.left(m_app.maxChannelNameLength + 1),
                                        u"InvalidChannel"_s, valid.error().message, 400));
        return;
    }
    const auto member = authorize(channel, object);
    if (!member) {
        logBadInput(member.error().message);
        reply(Frames::subscriptionError(channel,
                                        member.error().code == 403 ? u"LimitReached"_s
                                                                   : u"AuthError"_s,
                                        member.error().message, member.error().code));
        return;
    }
    post([hub = m_hub, id = m_id, channel, m = member.value()] { hub->subscribe(id, channel, m); });
}

Result<std::optional<Broker::PresenceMember>> Session::authorize(const QString &channel,
                                                                 const QJsonObject &data) const
{
    const ChannelType type = channelType(channel);
    if (type.kind == ChannelKind::Public) {
        return std::optional<Broker::PresenceMember>();
    }
    if (type.kind == ChannelKind::ServerToUser) {
        if (m_userId.isEmpty() || serverToUserId(channel) != m_userId) {
            return Error{401,
                         u"Only the connection signed in as that user may subscribe to %1"_s.arg(
                                 channel)};
        }
        return std::optional<Broker::PresenceMember>();
    }
    if (type.kind == ChannelKind::Presence) {
        const auto member = presenceMember(channel, data);
        if (!member) {
            return member.error();
        }
        return std::optional<Broker::PresenceMember>(member.value());
    }
    const QByteArray auth = data.value("auth"_L1).toString().toUtf8();
    if (auth.isEmpty()) {
        return Error{401, u"Auth info required to subscribe to %1"_s.arg(channel)};
    }
    const QByteArray payload = channelAuthPayload(m_socketId, channel.toUtf8());
    if (!verifyAuthToken(auth, m_app.key, m_app.secret, payload)) {
        return Error{401, u"Invalid signature: expected HMAC SHA256 hex digest of %1"_s.arg(
                                  QString::fromUtf8(payload))};
    }
    return std::optional<Broker::PresenceMember>();
}

Result<Broker::PresenceMember> Session::presenceMember(const QString &channel,
                                                       const QJsonObject &data) const
{
    const QByteArray auth = data.value("auth"_L1).toString().toUtf8();
    const QJsonValue channelDataValue = data.value("channel_data"_L1);
    if (auth.isEmpty()) {
        return Error{401, u"Auth info required to subscribe to %1"_s.arg(channel)};
    }
    const QByteArray channelData = channelDataValue.toString().toUtf8();
    if (channelData.isEmpty() && !m_userId.isEmpty()) {
        // A signed-in connection may join as its signed-in user without channel_data.
        const QByteArray payload = channelAuthPayload(m_socketId, channel.toUtf8());
        if (!verifyAuthToken(auth, m_app.key, m_app.secret, payload)) {
            return Error{401, u"Invalid signature for %1"_s.arg(channel)};
        }
        return Broker::PresenceMember{m_userId, m_userInfo};
    }
    if (channelData.isEmpty()) {
        return Error{401, u"Presence channel %1 needs channel_data"_s.arg(channel)};
    }
    const QByteArray payload = channelAuthPayload(m_socketId, channel.toUtf8(), channelData);
    if (!verifyAuthToken(auth, m_app.key, m_app.secret, payload)) {
        return Error{401, u"Invalid signature: expected HMAC SHA256 hex digest of %1"_s.arg(
                                  QString::fromUtf8(payload))};
    }
    if (channelData.size() > m_app.maxPresenceMemberBytes) {
        return Error{403,
                     u"Presence member data is %1 bytes, the limit is %2"_s.arg(channelData.size())
                             .arg(m_app.maxPresenceMemberBytes)};
    }
    const QJsonObject parsed = QJsonDocument::fromJson(channelData).object();
    const std::optional<QString> userId = userIdFrom(parsed.value("user_id"_L1));
    if (!userId) {
        return Error{400, u"channel_data must be a JSON object with a user_id string or integer"_s};
    }
    if (userId->size() > m_app.maxPresenceUserIdLength) {
        return Error{403,
                     u"user_id is longer than %1 characters"_s.arg(m_app.maxPresenceUserIdLength)};
    }
    const QJsonValue info = parsed.value("user_info"_L1);
    return Broker::PresenceMember{*userId, info.isUndefined() ? QByteArray() : compactJson(info)};
}

void Session::handleUnsubscribe(const QJsonValue &data)
{
    const QJsonValue channel = data.toObject().value("channel"_L1);
    if (!channel.isString()) {
        reply(Frames::error(std::nullopt,
                            u"pusher:unsubscribe needs data with a string channel"_s));
        return;
    }
    post([hub = m_hub, id = m_id, name = channel.toString()] { hub->unsubscribe(id, name); });
}

void Session::handleSignin(const QJsonValue &data)
{
    const QJsonObject object = data.toObject();
    const QByteArray auth = object.value("auth"_L1).toString().toUtf8();
    const QByteArray userData = object.value("user_data"_L1).toString().toUtf8();
    if (auth.isEmpty() || userData.isEmpty()) {
        reply(Frames::error(4009, u"pusher:signin needs auth and user_data"_s));
        return;
    }
    if (!verifyAuthToken(auth, m_app.key, m_app.secret, userAuthPayload(m_socketId, userData))) {
        reply(Frames::error(4009, u"Invalid signature for pusher:signin"_s));
        return;
    }
    const QJsonObject user = QJsonDocument::fromJson(userData).object();
    const QJsonValue idValue = user.value("id"_L1);
    if (!idValue.isString() || idValue.toString().isEmpty()) {
        reply(Frames::error(4009, u"user_data must hold a non-empty string id"_s));
        return;
    }
    const QString userId = idValue.toString();
    if (!m_userId.isEmpty() && m_userId != userId) {
        reply(Frames::error(4009, u"Connection is already signed in as another user"_s));
        return;
    }
    QStringList watchlist;
    const QJsonArray watched = user.value("watchlist"_L1).toArray();
    for (const QJsonValue &entry : watched) {
        if (const auto watchedId = userIdFrom(entry)) {
            watchlist.append(*watchedId);
        }
    }
    if (watchlist.size() > MaxWatchlist) {
        watchlist.resize(MaxWatchlist);
        reply(Frames::error(4302,
                            u"Watchlist holds more than %1 users; the first %1 are kept"_s.arg(
                                    MaxWatchlist)));
    }
    m_userId = userId;
    const QJsonValue info = user.value("user_info"_L1);
    m_userInfo = info.isUndefined() ? QByteArray() : compactJson(info);
    post([hub = m_hub, id = m_id, userId, userData, watchlist] {
        hub->signIn(id, userId, userData, watchlist);
    });
}

void Session::handleClientEvent(const ClientFrame &frame)
{
    if (!m_app.clientEvents) {
        reply(Frames::error(std::nullopt, u"Client events are disabled for this app"_s));
        return;
    }
    if (!channelType(frame.channel).allowsClientEvents()) {
        reply(Frames::error(
                std::nullopt,
                u"Client events are only allowed on private and presence channels, not on %1"_s.arg(
                        frame.channel.left(m_app.maxChannelNameLength))));
        return;
    }
    if (!validateEventName(frame.event, m_app.maxEventNameLength)) {
        reply(Frames::error(std::nullopt, u"Event name is longer than %1 characters"_s.arg(
                                                  m_app.maxEventNameLength)));
        return;
    }
    Broker::Publication publication;
    publication.channel = frame.channel;
    publication.event = frame.event;
    publication.origin = Broker::Origin::Client;
    publication.dataIsJson = !frame.data.isString();
    if (frame.data.isString()) {
        publication.data = frame.data.toString().toUtf8();
    } else {
        publication.data = frame.rawData.isEmpty() ? compactJson(frame.data) : frame.rawData;
    }
    if (publication.data.size() > m_app.maxEventPayloadBytes) {
        reply(Frames::error(std::nullopt, u"Event data is %1 bytes, the limit is %2"_s
                                                  .arg(publication.data.size())
                                                  .arg(m_app.maxEventPayloadBytes)));
        return;
    }
    if (!takeClientEventToken(nowMs())) {
        reply(Frames::error(4301, u"Client event rejected: more than %1 per second"_s.arg(
                                          m_app.maxClientEventsPerSecond)));
        return;
    }
    post([hub = m_hub, id = m_id, publication] { hub->clientEvent(id, publication); });
}

bool Session::takeClientEventToken(qint64 now)
{
    if (now - m_rateWindowStartMs >= 1000) {
        m_rateWindowStartMs = now;
        m_rateWindowCount = 0;
    }
    return ++m_rateWindowCount <= m_app.maxClientEventsPerSecond;
}

void Session::sendFrame(const QByteArray &frame)
{
    send(Transport::serverTextFrame(frame));
}

void Session::logBadInput(const QString &reason)
{
    // One warning per connection: a hostile client must not be able to flood the log.
    if (!m_loggedBadInput) {
        m_loggedBadInput = true;
        qCWarning(lcPusher) << "bad frame"
                            << "conn=" << m_id << reason;
        return;
    }
    qCDebug(lcPusher) << "bad frame"
                      << "conn=" << m_id << reason;
}

void Session::reply(const QByteArray &frame)
{
    post([hub = m_hub, id = m_id, frame] { hub->relay(id, frame); });
}

void Session::markActivity()
{
    m_lastHeardMs = nowMs();
    m_pingSentMs = 0;
}

template<typename Function>
void Session::post(Function &&function)
{
    // Queued even when the hub shares this thread, so requests reach it in arrival order and
    // never re-enter the session from inside its own handler.
    QMetaObject::invokeMethod(m_hub, std::forward<Function>(function), Qt::QueuedConnection);
}

} // namespace DNotifier::Pusher
