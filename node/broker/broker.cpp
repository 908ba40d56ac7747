#include "broker.h"

#include <algorithm>

namespace DNotifier::Broker {

void Broker::addConnection(ConnectionId id, const QString &appId)
{
    m_connections.insert(id, ConnectionState{appId, {}, {}, {}});
}

QString Broker::appOf(ConnectionId id) const
{
    const auto it = m_connections.constFind(id);
    return it == m_connections.cend() ? QString() : it->appId;
}

SubscribeOutcome Broker::subscribe(ConnectionId id,
                                   const QString &channelName,
                                   const std::optional<PresenceMember> &member,
                                   int maxMembers)
{
    auto connection = m_connections.find(id);
    if (connection == m_connections.end()) {
        return {};
    }
    Channel &channel = m_apps[connection->appId].channels[channelName];
    SubscribeOutcome outcome;
    if (channel.contains(id)) {
        outcome.status = SubscribeStatus::AlreadySubscribed;
        outcome.subscriptionCount = channel.subscriptionCount();
        return outcome;
    }
    if (member && !channel.members().contains(member->userId)
        && channel.userCount() >= maxMembers) {
        outcome.status = SubscribeStatus::PresenceFull;
        outcome.subscriptionCount = channel.subscriptionCount();
        if (channel.isEmpty()) {
            m_apps[connection->appId].channels.remove(channelName);
        }
        return outcome;
    }

    outcome.status = SubscribeStatus::Subscribed;
    outcome.occupied = channel.isEmpty();
    if (member) {
        outcome.memberAdded = channel.addMember(id, *member);
    } else {
        channel.add(id);
    }
    outcome.subscriptionCount = channel.subscriptionCount();
    connection->channels.insert(channelName);
    return outcome;
}

UnsubscribeOutcome Broker::unsubscribe(ConnectionId id, const QString &channelName)
{
    UnsubscribeOutcome outcome;
    outcome.channel = channelName;
    auto connection = m_connections.find(id);
    if (connection == m_connections.end() || !connection->channels.remove(channelName)) {
        return outcome;
    }
    AppSpace &app = m_apps[connection->appId];
    auto channel = app.channels.find(channelName);
    if (channel == app.channels.end()) {
        return outcome;
    }
    outcome.wasSubscribed = true;
    outcome.memberRemoved = channel->remove(id);
    outcome.subscriptionCount = channel->subscriptionCount();
    if (channel->isEmpty()) {
        outcome.vacated = true;
        app.channels.erase(channel);
    }
    return outcome;
}

ConnectionRemoval Broker::removeConnection(ConnectionId id)
{
    ConnectionRemoval removal;
    auto connection = m_connections.find(id);
    if (connection == m_connections.end()) {
        return removal;
    }
    const QSet<QString> channels = connection->channels;
    for (const QString &name : channels) {
        removal.channels.append(unsubscribe(id, name));
    }
    removal.userWentOffline = signOut(id, *connection);
    m_connections.erase(connection);
    return removal;
}

bool Broker::isSubscribed(ConnectionId id, const QString &channel) const
{
    const auto it = m_connections.constFind(id);
    return it != m_connections.cend() && it->channels.contains(channel);
}

int Broker::subscriptionCount(ConnectionId id) const
{
    const auto it = m_connections.constFind(id);
    return it == m_connections.cend() ? 0 : int(it->channels.size());
}

QString Broker::memberOf(ConnectionId id, const QString &channelName) const
{
    const Channel *found = channel(appOf(id), channelName);
    return found ? found->memberOf(id) : QString();
}

QList<ConnectionId> Broker::recipients(const QString &appId,
                                       const QString &channelName,
                                       ConnectionId except) const
{
    const Channel *found = channel(appId, channelName);
    if (!found) {
        return {};
    }
    QList<ConnectionId> result;
    result.reserve(found->subscriptionCount());
    for (ConnectionId id : found->subscribers()) {
        if (id != except) {
            result.append(id);
        }
    }
    return result;
}

const Channel *Broker::channel(const QString &appId, const QString &name) const
{
    const auto app = m_apps.constFind(appId);
    if (app == m_apps.cend()) {
        return nullptr;
    }
    const auto it = app->channels.constFind(name);
    return it == app->channels.cend() ? nullptr : &*it;
}

QList<ChannelSummary> Broker::channels(const QString &appId, const QString &prefix) const
{
    QList<ChannelSummary> result;
    const auto app = m_apps.constFind(appId);
    if (app == m_apps.cend()) {
        return result;
    }
    for (auto it = app->channels.cbegin(); it != app->channels.cend(); ++it) {
        if (it.key().startsWith(prefix)) {
            result.append({it.key(), it->subscriptionCount(), it->userCount()});
        }
    }
    std::sort(result.begin(), result.end(),
              [](const auto &a, const auto &b) { return a.name < b.name; });
    return result;
}

void Broker::setCached(const QString &appId, const Publication &publication)
{
    m_apps[appId].cache.insert(publication.channel, publication);
}

void Broker::dropExpiredCache(qint64 nowMs)
{
    for (auto app = m_apps.begin(); app != m_apps.end(); ++app) {
        app->cache.removeIf([nowMs](const auto &entry) {
            return nowMs - entry.value().createdMs > CachedPublicationTtlMs;
        });
    }
}

std::optional<Publication> Broker::cached(const QString &appId,
                                          const QString &channel,
                                          qint64 nowMs,
                                          qint64 ttlMs) const
{
    const auto app = m_apps.constFind(appId);
    if (app == m_apps.cend()) {
        return std::nullopt;
    }
    const auto it = app->cache.constFind(channel);
    if (it == app->cache.cend() || nowMs - it->createdMs > ttlMs) {
        return std::nullopt;
    }
    return *it;
}

bool Broker::signIn(ConnectionId id, const QString &userId, const QStringList &watchlist)
{
    auto connection = m_connections.find(id);
    if (connection == m_connections.end()) {
        return false;
    }
    AppSpace &app = m_apps[connection->appId];
    // Signing in again replaces the watchlist; the adapters refuse a change of user.
    unwatch(id, *connection);
    connection->userId = userId;
    connection->watchlist = watchlist;
    for (const QString &watched : watchlist) {
        app.watchers[watched].insert(id);
    }
    QSet<ConnectionId> &connections = app.users[userId];
    const bool cameOnline = connections.isEmpty();
    connections.insert(id);
    return cameOnline;
}

void Broker::unwatch(ConnectionId id, ConnectionState &state)
{
    AppSpace &app = m_apps[state.appId];
    for (const QString &watched : std::as_const(state.watchlist)) {
        auto it = app.watchers.find(watched);
        if (it == app.watchers.end()) {
            continue;
        }
        it->remove(id);
        if (it->isEmpty()) {
            app.watchers.erase(it);
        }
    }
    state.watchlist.clear();
}

QString Broker::signOut(ConnectionId id, ConnectionState &state)
{
    if (state.userId.isEmpty()) {
        return {};
    }
    unwatch(id, state);
    AppSpace &app = m_apps[state.appId];
    auto users = app.users.find(state.userId);
    if (users == app.users.end()) {
        return {};
    }
    users->remove(id);
    if (!users->isEmpty()) {
        return {};
    }
    app.users.erase(users);
    return state.userId;
}

QString Broker::userOf(ConnectionId id) const
{
    const auto it = m_connections.constFind(id);
    return it == m_connections.cend() ? QString() : it->userId;
}

QList<ConnectionId> Broker::connectionsOfUser(const QString &appId, const QString &userId) const
{
    const auto app = m_apps.constFind(appId);
    if (app == m_apps.cend()) {
        return {};
    }
    return app->users.value(userId).values();
}

bool Broker::isOnline(const QString &appId, const QString &userId) const
{
    const auto app = m_apps.constFind(appId);
    return app != m_apps.cend() && app->users.contains(userId);
}

QList<ConnectionId> Broker::watchersOf(const QString &appId, const QString &userId) const
{
    const auto app = m_apps.constFind(appId);
    if (app == m_apps.cend()) {
        return {};
    }
    return app->watchers.value(userId).values();
}

Publication Broker::appendToHistory(const QString &appId,
                                    Publication publication,
                                    int maxSize,
                                    qint64 ttlMs,
                                    qint64 nowMs)
{
    HistoryStream &target = streamOf(appId, publication.channel);
    target.expire(nowMs, ttlMs);
    publication.createdMs = nowMs;
    target.append(publication, maxSize);
    publication.offset = target.top();
    return publication;
}

const HistoryStream &Broker::stream(const QString &appId,
                                    const QString &channel,
                                    qint64 nowMs,
                                    qint64 ttlMs)
{
    HistoryStream &found = streamOf(appId, channel);
    found.expire(nowMs, ttlMs);
    return found;
}

HistoryStream &Broker::streamOf(const QString &appId, const QString &channel)
{
    AppSpace &app = m_apps[appId];
    auto it = app.histories.find(channel);
    if (it == app.histories.end()) {
        it = app.histories.insert(channel, HistoryStream(HistoryStream::newEpoch()));
    }
    return *it;
}

void Broker::dropIdleHistories(
        qint64 nowMs,
        const std::function<qint64(const QString &, const QString &)> &ttlMsOf)
{
    for (auto app = m_apps.begin(); app != m_apps.end(); ++app) {
        for (auto it = app->histories.begin(); it != app->histories.end();) {
            it->expire(nowMs, ttlMsOf(app.key(), it.key()));
            if (it->isEmpty() && !app->channels.contains(it.key())) {
                it = app->histories.erase(it);
            } else {
                ++it;
            }
        }
    }
}

} // namespace DNotifier::Broker
