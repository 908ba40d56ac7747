#include "hub.h"

#include <common/json/jsonwriter.h>
#include <node/delivery/crossprotocol.h>
#include <node/logging.h>
#include <node/transport/clientlimits.h>

#include <QDateTime>
#include <QRegularExpression>

namespace DNotifier::Centrifuge {

using namespace Qt::Literals::StringLiterals;
using Broker::ConnectionId;
using Json::ObjectWriter;

namespace {

// The most publications one history reply or recovery carries (Centrifugo's default).
constexpr qsizetype MaxPublicationsPerReply = 300;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 ttlMsOf(const Config::NamespaceSettings &space)
{
    return qint64(space.historyTtlSeconds) * 1000;
}

QByteArray publicationsJson(const QList<Broker::Publication> &publications)
{
    QByteArray out(1, '[');
    for (const Broker::Publication &publication : publications) {
        if (out.size() > 1) {
            out += ',';
        }
        out += publicationJson(Delivery::centrifugePublication(publication));
    }
    out += ']';
    return out;
}

void writeExpiry(ObjectWriter &writer, qint64 expiresAt)
{
    if (expiresAt > 0) {
        writer.boolean("expires"_L1, true);
        writer.integer("ttl"_L1, qMax<qint64>(0, expiresAt - nowMs() / 1000));
    }
}

} // namespace

Hub::Hub(std::shared_ptr<const Apps::AppRegistry> apps,
         Broker::Broker &broker,
         Delivery::Fanout &fanout,
         Delivery::Outlet *outlet,
         QObject *parent)
    : QObject(parent)
    , m_apps(std::move(apps))
    , m_broker(broker)
    , m_fanout(fanout)
    , m_outlet(outlet)
{ }

void Hub::connectClient(ConnectionId id, const ConnectRequest &request)
{
    m_broker.addConnection(id, request.appId);
    Client &client = m_clients[id];
    client = Client{request.appId, request.clientId, request.user, request.connInfo, {}};

    ObjectWriter subs;
    for (const QString &channel : request.serverChannels) {
        SubscribeRequest subscribe;
        subscribe.channel = channel;
        subscribe.recover = request.recover.value(channel);
        const Result<QByteArray> result = addSubscription(id, client, subscribe);
        if (result) {
            subs.member(channel, result.value());
        } else {
            qCInfo(lcCentrifuge) << "server-side subscription refused"
                                 << "client=" << request.clientId << result.error().message;
        }
    }
    ObjectWriter writer;
    writer.string("client"_L1, request.clientId)
            .string("version"_L1, QStringLiteral("dnotifier " DNOTIFIER_VERSION));
    writeExpiry(writer, request.expiresAt);
    const QByteArray subsJson = subs.finish();
    if (subsJson != "{}") {
        writer.raw("subs"_L1, subsJson);
    }
    writer.integer("ping"_L1, request.pingSeconds).boolean("pong"_L1, true);
    m_fanout.send(id, Replies::result(request.commandId, Method::Connect, writer.finish()));
}

void Hub::subscribe(ConnectionId id, const SubscribeRequest &request)
{
    auto client = m_clients.find(id);
    if (client == m_clients.end()) {
        return;
    }
    const Result<QByteArray> result = addSubscription(id, *client, request);
    if (!result) {
        m_fanout.send(id, Replies::error(request.commandId, result.error().code,
                                         result.error().message));
        return;
    }
    m_fanout.send(id, Replies::result(request.commandId, Method::Subscribe, result.value()));
}

Result<QByteArray> Hub::addSubscription(ConnectionId id,
                                        Client &client,
                                        const SubscribeRequest &request)
{
    const Config::AppSettings *app = appOf(client);
    const Config::NamespaceSettings *space = app ? app->namespaceOf(request.channel) : nullptr;
    if (!space) {
        return Error{ErrorCode::UnknownChannel, u"unknown channel"_s};
    }
    if (client.subscriptions.contains(request.channel)) {
        return Error{ErrorCode::AlreadySubscribed, u"already subscribed"_s};
    }
    if (client.subscriptions.size() >= app->maxSubscriptionsPerConnection) {
        return Error{ErrorCode::LimitExceeded, u"limit exceeded"_s};
    }
    const Broker::SubscribeOutcome outcome =
            m_broker.subscribe(id, request.channel, std::nullopt, app->maxPresenceMembers);
    if (outcome.status != Broker::SubscribeStatus::Subscribed) {
        return Error{ErrorCode::Internal, u"internal server error"_s};
    }
    client.subscriptions.insert(request.channel, Subscription{request.chanInfo, request.joinLeave});
    if (outcome.occupied) {
        report(client.appId, u"channel_occupied"_s, request.channel);
    }
    if (space->joinLeave || space->presence) {
        clientJoinedOrLeft(client, request.channel, true, id);
    }
    return positionJson(*app, request.channel, request.recover, request.expiresAt);
}

QByteArray Hub::positionJson(const Config::AppSettings &app,
                             const QString &channel,
                             const RecoverRequest &recover,
                             qint64 expiresAt)
{
    ObjectWriter writer;
    writeExpiry(writer, expiresAt);
    const Config::NamespaceSettings *space = app.namespaceOf(channel);
    if (!space || space->historySize <= 0) {
        return writer.finish();
    }
    const Broker::HistoryStream &stream =
            m_broker.stream(app.id, channel, nowMs(), ttlMsOf(*space));
    std::optional<QList<Broker::Publication>> missed;
    if (recover.recover) {
        missed = stream.after({recover.offset, recover.epoch});
        if (missed && missed->size() > MaxPublicationsPerReply) {
            missed.reset();
        }
    }
    writer.boolean("recoverable"_L1, true).boolean("positioned"_L1, true);
    writer.string("epoch"_L1, stream.epoch());
    // After a recovery the client advances from its own offset through the publications.
    const quint64 offset = missed ? recover.offset : stream.top();
    if (offset > 0) {
        writer.integer("offset"_L1, qint64(offset));
    }
    if (recover.recover) {
        writer.boolean("was_recovering"_L1, true);
    }
    if (missed) {
        writer.boolean("recovered"_L1, true);
        if (!missed->isEmpty()) {
            writer.raw("publications"_L1, publicationsJson(*missed));
        }
    }
    return writer.finish();
}

void Hub::unsubscribe(ConnectionId id, quint32 commandId, const QString &channel)
{
    auto client = m_clients.find(id);
    if (client == m_clients.end()) {
        return;
    }
    removeSubscription(id, *client, channel);
    m_fanout.send(id, Replies::result(commandId, Method::Unsubscribe, "{}"));
}

void Hub::expireSubscription(ConnectionId id, const QString &channel)
{
    auto client = m_clients.find(id);
    if (client != m_clients.end() && removeSubscription(id, *client, channel)) {
        m_fanout.send(id, Pushes::unsubscribe(channel, UnsubscribeCode::SubscriptionExpired,
                                              u"subscription expired"_s));
    }
}

bool Hub::removeSubscription(ConnectionId id, Client &client, const QString &channel)
{
    if (!client.subscriptions.contains(channel)) {
        return false;
    }
    afterUnsubscribe(client, m_broker.unsubscribe(id, channel));
    client.subscriptions.remove(channel);
    return true;
}

void Hub::publish(ConnectionId id,
                  quint32 commandId,
                  const QString &channel,
                  const QByteArray &data,
                  bool subscribersOnly)
{
    const auto client = m_clients.constFind(id);
    const Config::AppSettings *app = client == m_clients.cend() ? nullptr : appOf(*client);
    if (!app) {
        return;
    }
    if (subscribersOnly && !client->subscriptions.contains(channel)) {
        m_fanout.send(id, Replies::error(commandId, ErrorCode::PermissionDenied,
                                         u"permission denied"_s));
        return;
    }
    Broker::Publication publication;
    publication.channel = channel;
    publication.data = data;
    publication.dataIsJson = true;
    publication.origin = Broker::Origin::Client;
    const ClientInfo info = infoOf(*client, channel);
    publication.publisher =
            Broker::PublisherInfo{info.user, info.client, info.connInfo, info.chanInfo};
    // The reply goes first; the publisher then receives its own publication like any other
    // subscriber, as centrifuge-js expects.
    m_fanout.send(id, Replies::result(commandId, Method::Publish, "{}"));
    m_fanout.publish(*app, std::move(publication));
}

void Hub::presence(ConnectionId id, quint32 commandId, const QString &channel, bool stats)
{
    const auto client = m_clients.constFind(id);
    if (client == m_clients.cend()) {
        return;
    }
    const QByteArray result = presenceResult(client->appId, channel, stats);
    m_fanout.send(id, Replies::result(commandId, stats ? Method::PresenceStats : Method::Presence,
                                      result));
}

QByteArray Hub::presenceResult(const QString &appId, const QString &channel, bool stats) const
{
    const Broker::Channel *state = m_broker.channel(appId, channel);
    QSet<QString> users;
    ObjectWriter members;
    int clients = 0;
    if (state) {
        state->subscribers().forEach([&](ConnectionId member) {
            const auto other = m_clients.constFind(member);
            if (other == m_clients.cend()) {
                return;
            }
            ++clients;
            users.insert(other->user);
            const ClientInfo info = infoOf(*other, channel);
            members.member(info.client, clientInfoJson(info));
        });
    }
    for (const Broker::PublisherInfo &remote : m_broker.remoteClients(appId, channel)) {
        ++clients;
        users.insert(remote.user);
        const ClientInfo info{remote.user, remote.client, remote.connInfo, remote.chanInfo};
        members.member(info.client, clientInfoJson(info));
    }
    if (stats) {
        return ObjectWriter()
                .integer("num_clients"_L1, clients)
                .integer("num_users"_L1, users.size())
                .finish();
    }
    return ObjectWriter().raw("presence"_L1, members.finish()).finish();
}

void Hub::history(ConnectionId id, const HistoryRequest &request)
{
    const auto client = m_clients.constFind(id);
    const Config::AppSettings *app = client == m_clients.cend() ? nullptr : appOf(*client);
    if (!app) {
        return;
    }
    const Result<QByteArray> result = historyResult(*app, request);
    if (!result) {
        m_fanout.send(id, Replies::error(request.commandId, result.error().code,
                                         result.error().message));
        return;
    }
    m_fanout.send(id, Replies::result(request.commandId, Method::History, result.value()));
}

Result<QByteArray> Hub::historyResult(const Config::AppSettings &app, const HistoryRequest &request)
{
    const Config::NamespaceSettings *space = app.namespaceOf(request.channel);
    if (!space) {
        return Error{ErrorCode::UnknownChannel, u"unknown channel"_s};
    }
    if (space->historySize <= 0) {
        return Error{ErrorCode::NotAvailable, u"not available"_s};
    }
    const Broker::HistoryStream &stream =
            m_broker.stream(app.id, request.channel, nowMs(), ttlMsOf(*space));
    const qsizetype limit = request.limit < 0
                                    ? MaxPublicationsPerReply
                                    : qMin<qsizetype>(request.limit, MaxPublicationsPerReply);
    // As the reference server pages: forward from the oldest kept (or from just after
    // `since`), reverse from the newest (or from just before `since`).
    QList<Broker::Publication> publications = stream.latest(stream.size());
    if (request.since) {
        if (request.since->epoch != stream.epoch()) {
            return Error{ErrorCode::UnrecoverablePosition, u"unrecoverable position"_s};
        }
        const quint64 offset = request.since->offset;
        if (request.reverse && offset == 0) {
            return Error{ErrorCode::BadRequest, u"bad request: reverse needs since.offset"_s};
        }
        if (!request.reverse && !stream.after({offset, stream.epoch()})) {
            return Error{ErrorCode::UnrecoverablePosition, u"unrecoverable position"_s};
        }
        publications.removeIf([&](const Broker::Publication &publication) {
            return request.reverse ? publication.offset >= offset : publication.offset <= offset;
        });
    }
    if (request.reverse) {
        std::reverse(publications.begin(), publications.end());
    }
    if (publications.size() > limit) {
        publications.resize(limit);
    }
    ObjectWriter writer;
    if (!publications.isEmpty()) {
        writer.raw("publications"_L1, publicationsJson(publications));
    }
    writer.string("epoch"_L1, stream.epoch());
    if (stream.top() > 0) {
        writer.integer("offset"_L1, qint64(stream.top()));
    }
    return writer.finish();
}

Result<QByteArray> Hub::publishFromApi(const Config::AppSettings &app,
                                       const QString &channel,
                                       const QByteArray &data,
                                       const QList<QPair<QString, QString>> &tags)
{
    const Config::NamespaceSettings *space = app.namespaceOf(channel);
    if (!space) {
        return Error{ErrorCode::UnknownChannel, u"unknown channel"_s};
    }
    Broker::Publication publication;
    publication.channel = channel;
    publication.data = data;
    publication.dataIsJson = true;
    publication.tags = tags;
    const Broker::Publication stored = m_fanout.publish(app, std::move(publication));
    ObjectWriter writer;
    if (stored.offset > 0) {
        writer.integer("offset"_L1, qint64(stored.offset));
        writer.string("epoch"_L1,
                      m_broker.stream(app.id, channel, nowMs(), ttlMsOf(*space)).epoch());
    }
    return writer.finish();
}

QByteArray Hub::channelsResult(const QString &appId, const QString &pattern) const
{
    const QRegularExpression glob(
            pattern.isEmpty() ? u".*"_s
                              : QRegularExpression::wildcardToRegularExpression(
                                      pattern, QRegularExpression::UnanchoredWildcardConversion));
    ObjectWriter channels;
    for (const Broker::ChannelSummary &summary : m_broker.channels(appId, {})) {
        if (!glob.match(summary.name).hasMatch()) {
            continue;
        }
        channels.member(summary.name, ObjectWriter()
                                              .integer("num_clients"_L1, summary.subscriptionCount)
                                              .finish());
    }
    return ObjectWriter().raw("channels"_L1, channels.finish()).finish();
}

void Hub::disconnectUser(const QString &appId, const QString &user, const QString &clientId)
{
    disconnectLocalUser(appId, user, clientId);
    m_fanout.forwardUserCommand(
            {Delivery::UserCommand::Kind::DisconnectCentrifugeUser, appId, user, clientId});
}

int Hub::disconnectLocalUser(const QString &appId, const QString &user, const QString &clientId)
{
    int closed = 0;
    for (auto it = m_clients.cbegin(); it != m_clients.cend(); ++it) {
        const bool matches = it->appId == appId && it->user == user
                             && (clientId.isEmpty() || it->clientId == clientId);
        if (matches) {
            m_outlet->close(it.key(), DisconnectCode::ForceDisconnect, u"force disconnect"_s);
            ++closed;
        }
    }
    return closed;
}

QString Hub::userOf(ConnectionId id) const
{
    const auto client = m_clients.constFind(id);
    return client == m_clients.cend() ? QString() : client->user;
}

bool Hub::disconnectConnection(ConnectionId id)
{
    if (!m_clients.contains(id)) {
        return false;
    }
    m_outlet->close(id, DisconnectCode::ForceDisconnect, u"force disconnect"_s);
    closeConnection(id);
    return true;
}

void Hub::closeConnection(ConnectionId id)
{
    const auto client = m_clients.constFind(id);
    if (client == m_clients.cend()) {
        return;
    }
    const Client leaving = *client;
    m_clients.erase(client);
    const Broker::ConnectionRemoval removal = m_broker.removeConnection(id);
    for (const Broker::UnsubscribeOutcome &outcome : removal.channels) {
        afterUnsubscribe(leaving, outcome);
    }
}

void Hub::relay(ConnectionId id, const QByteArray &frame)
{
    m_fanout.send(id, frame);
}

const Config::AppSettings *Hub::appOf(const Client &client) const
{
    return m_apps->byId(client.appId);
}

void Hub::announce(const QString &appId,
                   const QString &channel,
                   const ClientInfo &info,
                   bool joined,
                   ConnectionId except)
{
    const Config::AppSettings *app = m_apps->byId(appId);
    const Config::NamespaceSettings *space = app ? app->namespaceOf(channel) : nullptr;
    if (!space || !space->joinLeave) {
        return;
    }
    QList<ConnectionId> listeners;
    for (ConnectionId other : m_broker.recipients(appId, channel, except)) {
        const auto listener = m_clients.constFind(other);
        if (listener != m_clients.cend() && listener->subscriptions.value(channel).joinLeave) {
            listeners.append(other);
        }
    }
    m_fanout.send(listeners, joined ? Pushes::join(channel, info) : Pushes::leave(channel, info));
}

void Hub::clientJoinedOrLeft(const Client &client,
                             const QString &channel,
                             bool joined,
                             ConnectionId except)
{
    const ClientInfo info = infoOf(client, channel);
    announce(client.appId, channel, info, joined, except);
    m_fanout.announceClient(client.appId, channel,
                            Broker::PublisherInfo{info.user, info.client, info.connInfo,
                                                  info.chanInfo},
                            joined);
}

void Hub::remoteClientJoined(const Broker::ClientChange &change)
{
    const Broker::PublisherInfo &c = change.client;
    announce(change.appId, change.channel, ClientInfo{c.user, c.client, c.connInfo, c.chanInfo},
             true, 0);
}

void Hub::remoteClientLeft(const Broker::ClientChange &change)
{
    const Broker::PublisherInfo &c = change.client;
    announce(change.appId, change.channel, ClientInfo{c.user, c.client, c.connInfo, c.chanInfo},
             false, 0);
}

void Hub::afterUnsubscribe(const Client &client, const Broker::UnsubscribeOutcome &outcome)
{
    if (!outcome.wasSubscribed) {
        return;
    }
    const Config::AppSettings *app = appOf(client);
    const Config::NamespaceSettings *space = app ? app->namespaceOf(outcome.channel) : nullptr;
    if (space && (space->joinLeave || space->presence)) {
        clientJoinedOrLeft(client, outcome.channel, false, 0);
    }
    if (outcome.vacated) {
        report(client.appId, u"channel_vacated"_s, outcome.channel);
    }
}

ClientInfo Hub::infoOf(const Client &client, const QString &channel) const
{
    return ClientInfo{client.user, client.clientId, client.connInfo,
                      client.subscriptions.value(channel).chanInfo};
}

void Hub::report(const QString &appId, const QString &name, const QString &channel)
{
    const Config::AppSettings *app = m_apps->byId(appId);
    if (!app || app->webhooks.isEmpty()) {
        return;
    }
    Webhooks::WebhookEvent event;
    event.name = name;
    event.channel = channel;
    event.createdMs = nowMs();
    Q_EMIT webhookEvent(appId, event);
}

} // namespace DNotifier::Centrifuge
