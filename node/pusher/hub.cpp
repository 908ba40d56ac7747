#include "hub.h"

#include "frames.h"

#include <common/pusher/channelname.h>
#include <node/logging.h>
#include <node/transport/clientlimits.h>

#include <QDateTime>
#include <QTimer>

namespace DNotifier::Pusher {

using namespace Qt::Literals::StringLiterals;
using Broker::ConnectionId;

namespace {

constexpr int CountThrottleThreshold = 100;
constexpr qint64 CountThrottleMs = 5000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Webhooks::WebhookEvent channelEvent(const QString &name, const QString &channel)
{
    Webhooks::WebhookEvent event;
    event.name = name;
    event.channel = channel;
    event.createdMs = nowMs();
    return event;
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

void Hub::openConnection(ConnectionId id, const QString &appId, const QByteArray &socketId)
{
    m_connections.insert(id, ConnectionInfo{appId, socketId});
    m_broker.addConnection(id, appId);
}

void Hub::closeConnection(ConnectionId id)
{
    const auto info = m_connections.constFind(id);
    if (info == m_connections.cend()) {
        return;
    }
    const QString appId = info->appId;
    m_connections.erase(info);

    const Broker::ConnectionRemoval removal = m_broker.removeConnection(id);
    for (const auto &outcome : removal.channels) {
        applyUnsubscribe(appId, outcome);
    }
    if (!removal.userWentOffline.isEmpty()) {
        announceOnline(appId, removal.userWentOffline, false);
    }
}

void Hub::subscribe(ConnectionId id,
                    const QString &channel,
                    const std::optional<Broker::PresenceMember> &member)
{
    const Config::AppSettings *app = appOf(id);
    if (!app) {
        return;
    }
    if (!m_broker.isSubscribed(id, channel)
        && m_broker.subscriptionCount(id) >= app->maxSubscriptionsPerConnection) {
        sendTo(id,
               Frames::subscriptionError(channel, u"LimitReached"_s,
                                         u"A connection may subscribe to at most %1 channels"_s.arg(
                                                 app->maxSubscriptionsPerConnection),
                                         403));
        return;
    }
    const auto outcome = m_broker.subscribe(id, channel, member, app->maxPresenceMembers);
    switch (outcome.status) {
    case Broker::SubscribeStatus::UnknownConnection:
        return;
    case Broker::SubscribeStatus::PresenceFull:
        sendTo(id,
               Frames::subscriptionError(
                       channel, u"LimitReached"_s,
                       u"Presence channel %1 already has the maximum of %2 members"_s.arg(channel)
                               .arg(app->maxPresenceMembers),
                       403));
        return;
    case Broker::SubscribeStatus::AlreadySubscribed:
        confirmSubscription(id, channel);
        return;
    case Broker::SubscribeStatus::Subscribed:
        break;
    }

    confirmSubscription(id, channel);
    if (outcome.occupied) {
        report(app->id, channelEvent(u"channel_occupied"_s, channel));
    }
    if (outcome.memberAdded && member) {
        sendTo(m_broker.recipients(app->id, channel, id), Frames::memberAdded(channel, *member));
        auto event = channelEvent(u"member_added"_s, channel);
        event.userId = member->userId;
        report(app->id, event);
    }
    if (channelType(channel).isCache) {
        replayCache(id, app->id, channel);
    }
    announceCount(*app, channel, outcome.subscriptionCount);
}

void Hub::unsubscribe(ConnectionId id, const QString &channel)
{
    const QString appId = m_broker.appOf(id);
    if (appId.isEmpty()) {
        return;
    }
    applyUnsubscribe(appId, m_broker.unsubscribe(id, channel));
}

void Hub::clientEvent(ConnectionId id, Broker::Publication publication)
{
    const Config::AppSettings *app = appOf(id);
    if (!app) {
        return;
    }
    if (!m_broker.isSubscribed(id, publication.channel)) {
        sendTo(id,
               Frames::error(
                       std::nullopt,
                       u"Cannot broadcast client event (connection not subscribed to channel %1)"_s
                               .arg(publication.channel)));
        return;
    }
    publication.userId = m_broker.memberOf(id, publication.channel);
    const QString userId = publication.userId;
    const QByteArray socketId = m_connections.value(id).socketId;
    publication.publisher = Broker::PublisherInfo{userId, QString::fromLatin1(socketId), {}, {}};
    publication = m_fanout.publish(*app, std::move(publication), id);
    if (app->webhooks.isEmpty()) {
        // Client events are per message: build no webhook event nobody would receive.
        return;
    }

    auto event = channelEvent(u"client_event"_s, publication.channel);
    event.event = publication.event;
    event.data = publication.data;
    event.socketId = socketId;
    event.userId = publication.userId;
    report(app->id, event);
}

void Hub::relay(ConnectionId id, const QByteArray &frame)
{
    sendTo(id, frame);
}

void Hub::signIn(ConnectionId id,
                 const QString &userId,
                 const QByteArray &userData,
                 const QStringList &watchlist)
{
    const QString appId = m_broker.appOf(id);
    if (appId.isEmpty()) {
        return;
    }
    const bool cameOnline = m_broker.signIn(id, userId, watchlist);
    sendTo(id, Frames::signinSuccess(userData));
    if (!watchlist.isEmpty()) {
        QStringList online;
        QStringList offline;
        for (const QString &watched : watchlist) {
            (m_broker.isOnline(appId, watched) ? online : offline).append(watched);
        }
        sendTo(id, Frames::watchlistEvents(online, offline));
    }
    if (cameOnline) {
        announceOnline(appId, userId, true);
    }
}

void Hub::publish(const QString &appId,
                  Broker::Publication publication,
                  const QByteArray &excludeSocketId)
{
    const Config::AppSettings *app = m_apps->byId(appId);
    if (!app) {
        return;
    }
    publication.createdMs = nowMs();
    publication.origin = Broker::Origin::Api;
    m_fanout.publish(*app, std::move(publication), connectionOfSocket(excludeSocketId));
}

void Hub::remoteMemberAdded(const Broker::MemberChange &change)
{
    sendTo(m_broker.recipients(change.appId, change.channel),
           Frames::memberAdded(change.channel, change.member));
}

void Hub::remoteMemberRemoved(const Broker::MemberChange &change)
{
    sendTo(m_broker.recipients(change.appId, change.channel),
           Frames::memberRemoved(change.channel, change.member.userId));
}

void Hub::terminateUser(const QString &appId, const QString &userId)
{
    terminateLocalUser(appId, userId);
    m_fanout.forwardUserCommand(
            {Delivery::UserCommand::Kind::TerminatePusherUser, appId, userId, {}});
}

void Hub::reportDepartedMember(const Broker::MemberChange &change)
{
    auto event = channelEvent(u"member_removed"_s, change.channel);
    event.userId = change.member.userId;
    report(change.appId, event);
}

void Hub::reportDepartedChannel(const QString &appId, const QString &channel)
{
    report(appId, channelEvent(u"channel_vacated"_s, channel));
}

int Hub::terminateLocalUser(const QString &appId, const QString &userId)
{
    const QList<ConnectionId> connections = m_broker.connectionsOfUser(appId, userId);
    for (ConnectionId id : connections) {
        terminateConnection(id);
    }
    return int(connections.size());
}

void Hub::terminateConnection(ConnectionId id)
{
    sendTo(id, Frames::error(4009, u"Connection terminated by the app"_s));
    m_outlet->close(id, 4009, u"Terminated by the app"_s);
    closeConnection(id);
}

const Config::AppSettings *Hub::appOf(ConnectionId id) const
{
    const auto it = m_connections.constFind(id);
    return it == m_connections.cend() ? nullptr : m_apps->byId(it->appId);
}

void Hub::sendTo(ConnectionId id, const QByteArray &frame)
{
    m_fanout.send(id, frame);
}

void Hub::sendTo(const QList<ConnectionId> &ids, const QByteArray &frame)
{
    m_fanout.send(ids, frame);
}

void Hub::confirmSubscription(ConnectionId id, const QString &channel)
{
    QByteArray inner = "{}";
    if (channelType(channel).kind == ChannelKind::Presence) {
        inner = Frames::presenceData(m_broker.presenceMembers(m_broker.appOf(id), channel));
    }
    sendTo(id, Frames::subscriptionSucceeded(channel, inner));
}

void Hub::replayCache(ConnectionId id, const QString &appId, const QString &channel)
{
    const auto cached = m_broker.cached(appId, channel, nowMs(), Broker::CachedPublicationTtlMs);
    if (cached) {
        sendTo(id, Frames::event(*cached));
        return;
    }
    sendTo(id, Frames::cacheMiss(channel));
    report(appId, channelEvent(u"cache_miss"_s, channel));
}

void Hub::announceCount(const Config::AppSettings &app, const QString &channel, int count)
{
    // One switch for the feature: the count events to clients and the webhook alike.
    if (!app.subscriptionCountEvents || channelType(channel).kind == ChannelKind::Presence) {
        return;
    }
    const QString key = app.id + u'\n' + channel;
    if (count <= CountThrottleThreshold) {
        m_countThrottle.remove(key);
        sendCount(app, channel, count);
        return;
    }
    // Busy channels report their count at most every five seconds, as Pusher does.
    CountThrottle &throttle = m_countThrottle[key];
    const qint64 now = nowMs();
    const qint64 wait = throttle.lastSentMs + CountThrottleMs - now;
    if (wait <= 0) {
        throttle.lastSentMs = now;
        sendCount(app, channel, count);
        return;
    }
    if (throttle.scheduled) {
        return;
    }
    throttle.scheduled = true;
    QTimer::singleShot(wait, this, [this, appId = app.id, channel, key] {
        auto it = m_countThrottle.find(key);
        if (it == m_countThrottle.end()) {
            return;
        }
        it->scheduled = false;
        it->lastSentMs = nowMs();
        if (const Config::AppSettings *current = m_apps->byId(appId)) {
            sendCount(*current, channel, m_broker.summary(appId, channel).subscriptionCount);
        }
    });
}

void Hub::sendCount(const Config::AppSettings &app, const QString &channel, int count)
{
    auto event = channelEvent(u"subscription_count"_s, channel);
    event.subscriptionCount = count;
    report(app.id, event);
    if (count > 0) {
        sendTo(m_broker.recipients(app.id, channel), Frames::subscriptionCount(channel, count));
    }
}

void Hub::applyUnsubscribe(const QString &appId, const Broker::UnsubscribeOutcome &outcome)
{
    if (!outcome.wasSubscribed) {
        return;
    }
    if (outcome.memberRemoved) {
        sendTo(m_broker.recipients(appId, outcome.channel),
               Frames::memberRemoved(outcome.channel, outcome.memberRemoved->userId));
        auto event = channelEvent(u"member_removed"_s, outcome.channel);
        event.userId = outcome.memberRemoved->userId;
        report(appId, event);
    }
    if (outcome.vacated) {
        report(appId, channelEvent(u"channel_vacated"_s, outcome.channel));
    }
    if (const Config::AppSettings *app = m_apps->byId(appId)) {
        announceCount(*app, outcome.channel, outcome.subscriptionCount);
    }
}

void Hub::announceOnline(const QString &appId, const QString &userId, bool online)
{
    const QList<ConnectionId> watchers = m_broker.watchersOf(appId, userId);
    if (watchers.isEmpty()) {
        return;
    }
    const QStringList ids{userId};
    sendTo(watchers, online ? Frames::watchlistEvents(ids, {}) : Frames::watchlistEvents({}, ids));
}

void Hub::report(const QString &appId, const Webhooks::WebhookEvent &event)
{
    // Skip the cross-thread hop for apps without endpoints: client events are per message.
    const Config::AppSettings *app = m_apps->byId(appId);
    if (app && !app->webhooks.isEmpty()) {
        Q_EMIT webhookEvent(appId, event);
    }
}

ConnectionId Hub::connectionOfSocket(const QByteArray &socketId) const
{
    const qsizetype dot = socketId.indexOf('.');
    if (dot <= 0) {
        return 0;
    }
    bool ok = false;
    const ConnectionId id = socketId.left(dot).toULongLong(&ok);
    if (!ok) {
        return 0;
    }
    const auto it = m_connections.constFind(id);
    return it != m_connections.cend() && it->socketId == socketId ? id : 0;
}

} // namespace DNotifier::Pusher
