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
    AppSpace &app = m_apps[connection->appId];
    const int remoteCount = app.remote.subscriptionCount(channelName);
    if (channel.contains(id)) {
        outcome.status = SubscribeStatus::AlreadySubscribed;
        outcome.subscriptionCount = channel.subscriptionCount() + remoteCount;
        return outcome;
    }
    if (member && !channel.members().contains(member->userId)
        && !app.remote.hasMember(channelName, member->userId)
        && userCount(app, channelName) >= maxMembers) {
        outcome.status = SubscribeStatus::PresenceFull;
        outcome.subscriptionCount = channel.subscriptionCount() + remoteCount;
        if (channel.isEmpty()) {
            app.channels.remove(channelName);
        }
        return outcome;
    }

    outcome.status = SubscribeStatus::Subscribed;
    outcome.occupied = channel.isEmpty() && remoteCount == 0;
    bool firstLocalMember = false;
    if (member) {
        firstLocalMember = channel.addMember(id, *member);
        outcome.memberAdded =
                firstLocalMember && !app.remote.hasMember(channelName, member->userId);
    } else {
        channel.add(id);
    }
    outcome.subscriptionCount = channel.subscriptionCount();
    connection->channels.append(channelName);
    if (m_observer) {
        if (firstLocalMember) {
            m_observer->localMemberAdded(connection->appId, channelName, *member);
        }
        m_observer->localSubscriptionsChanged(connection->appId, channelName,
                                              outcome.subscriptionCount);
    }
    outcome.subscriptionCount += remoteCount;
    return outcome;
}

UnsubscribeOutcome Broker::unsubscribe(ConnectionId id, const QString &channelName)
{
    UnsubscribeOutcome outcome;
    outcome.channel = channelName;
    auto connection = m_connections.find(id);
    if (connection == m_connections.end() || !connection->channels.removeOne(channelName)) {
        return outcome;
    }
    AppSpace &app = m_apps[connection->appId];
    auto channel = app.channels.find(channelName);
    if (channel == app.channels.end()) {
        return outcome;
    }
    outcome.wasSubscribed = true;
    const std::optional<PresenceMember> lastLocalMember = channel->remove(id);
    if (lastLocalMember && !app.remote.hasMember(channelName, lastLocalMember->userId)) {
        outcome.memberRemoved = lastLocalMember;
    }
    const int localCount = channel->subscriptionCount();
    if (channel->isEmpty()) {
        outcome.vacated = app.remote.subscriptionCount(channelName) == 0;
        app.channels.erase(channel);
    }
    if (m_observer) {
        if (lastLocalMember) {
            m_observer->localMemberRemoved(connection->appId, channelName, lastLocalMember->userId);
        }
        m_observer->localSubscriptionsChanged(connection->appId, channelName, localCount);
    }
    outcome.subscriptionCount = localCount + app.remote.subscriptionCount(channelName);
    return outcome;
}

ConnectionRemoval Broker::removeConnection(ConnectionId id)
{
    ConnectionRemoval removal;
    auto connection = m_connections.find(id);
    if (connection == m_connections.end()) {
        return removal;
    }
    const QList<QString> channels = connection->channels;
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
    found->subscribers().forEach([&result, except](ConnectionId id) {
        if (id != except) {
            result.append(id);
        }
    });
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
    QSet<QString> names;
    for (auto it = app->channels.cbegin(); it != app->channels.cend(); ++it) {
        if (it.key().startsWith(prefix)) {
            names.insert(it.key());
        }
    }
    for (const QString &name : app->remote.channels()) {
        if (name.startsWith(prefix)) {
            names.insert(name);
        }
    }
    for (const QString &name : std::as_const(names)) {
        result.append(summary(appId, name));
    }
    std::sort(result.begin(), result.end(),
              [](const auto &a, const auto &b) { return a.name < b.name; });
    return result;
}

ChannelSummary Broker::summary(const QString &appId, const QString &channelName) const
{
    ChannelSummary result;
    result.name = channelName;
    const auto app = m_apps.constFind(appId);
    if (app == m_apps.cend()) {
        return result;
    }
    const Channel *local = channel(appId, channelName);
    result.subscriptionCount =
            (local ? local->subscriptionCount() : 0) + app->remote.subscriptionCount(channelName);
    result.userCount = userCount(*app, channelName);
    result.occupied = result.subscriptionCount > 0;
    return result;
}

QList<PresenceMember> Broker::presenceMembers(const QString &appId,
                                              const QString &channelName) const
{
    QList<PresenceMember> result;
    const auto app = m_apps.constFind(appId);
    if (app == m_apps.cend()) {
        return result;
    }
    const Channel *local = channel(appId, channelName);
    if (local) {
        for (auto it = local->members().cbegin(); it != local->members().cend(); ++it) {
            result.append({it.key(), it->userInfo});
        }
    }
    for (const PresenceMember &member : app->remote.members(channelName)) {
        if (!local || !local->members().contains(member.userId)) {
            result.append(member);
        }
    }
    std::sort(result.begin(), result.end(),
              [](const auto &a, const auto &b) { return a.userId < b.userId; });
    return result;
}

int Broker::userCount(const AppSpace &app, const QString &channelName) const
{
    const auto local = app.channels.constFind(channelName);
    int count = local == app.channels.cend() ? 0 : local->userCount();
    for (const PresenceMember &member : app.remote.members(channelName)) {
        if (local == app.channels.cend() || !local->members().contains(member.userId)) {
            ++count;
        }
    }
    return count;
}

bool Broker::hasLocalMember(const QString &appId,
                            const QString &channelName,
                            const QString &user) const
{
    const Channel *local = channel(appId, channelName);
    return local && local->members().contains(user);
}

void Broker::setRemoteSubscriptions(const NodeId &node,
                                    const QString &appId,
                                    const QString &channel,
                                    int count)
{
    if (count <= 0 && !m_apps.contains(appId)) {
        return;
    }
    m_apps[appId].remote.setSubscriptions(node, channel, count);
}

QList<NodeId> Broker::interestedNodes(const QString &appId, const QString &channel) const
{
    const auto app = m_apps.constFind(appId);
    return app == m_apps.cend() ? QList<NodeId>() : app->remote.interestedNodes(channel);
}

bool Broker::addRemoteMember(const NodeId &node,
                             const QString &appId,
                             const QString &channel,
                             const PresenceMember &member)
{
    const bool firstRemote = m_apps[appId].remote.addMember(node, channel, member);
    return firstRemote && !hasLocalMember(appId, channel, member.userId);
}

std::optional<PresenceMember> Broker::removeRemoteMember(const NodeId &node,
                                                         const QString &appId,
                                                         const QString &channel,
                                                         const QString &userId)
{
    const auto app = m_apps.find(appId);
    if (app == m_apps.end()) {
        return std::nullopt;
    }
    std::optional<PresenceMember> removed = app->remote.removeMember(node, channel, userId);
    if (removed && hasLocalMember(appId, channel, userId)) {
        return std::nullopt;
    }
    return removed;
}

Broker::NodeDeparture Broker::removeNode(const NodeId &node)
{
    NodeDeparture gone;
    for (auto app = m_apps.begin(); app != m_apps.end(); ++app) {
        const RemoteChannels::Departure departure = app->remote.removeNode(node);
        for (const auto &[channel, member] : departure.members) {
            if (!hasLocalMember(app.key(), channel, member.userId)) {
                gone.members.append({app.key(), channel, member});
            }
        }
        for (const auto &[channel, client] : departure.clients) {
            gone.clients.append({app.key(), channel, client});
        }
    }
    return gone;
}

bool Broker::addRemoteClient(const NodeId &node,
                             const QString &appId,
                             const QString &channel,
                             const PublisherInfo &client)
{
    return m_apps[appId].remote.addClient(node, channel, client);
}

std::optional<PublisherInfo> Broker::removeRemoteClient(const NodeId &node,
                                                        const QString &appId,
                                                        const QString &channel,
                                                        const QString &clientId)
{
    const auto app = m_apps.find(appId);
    return app == m_apps.end() ? std::nullopt : app->remote.removeClient(node, channel, clientId);
}

QList<PublisherInfo> Broker::remoteClients(const QString &appId, const QString &channel) const
{
    const auto app = m_apps.constFind(appId);
    return app == m_apps.cend() ? QList<PublisherInfo>() : app->remote.clients(channel);
}

QList<ClientChange> Broker::remoteClientsOf(const NodeId &node) const
{
    QList<ClientChange> result;
    for (auto app = m_apps.cbegin(); app != m_apps.cend(); ++app) {
        for (const auto &[channel, client] : app->remote.clientsOf(node)) {
            result.append({app.key(), channel, client});
        }
    }
    return result;
}

QList<MemberChange> Broker::remoteMembersOf(const NodeId &node) const
{
    QList<MemberChange> result;
    for (auto app = m_apps.cbegin(); app != m_apps.cend(); ++app) {
        for (const auto &[channel, member] : app->remote.membersOf(node)) {
            result.append({app.key(), channel, member});
        }
    }
    return result;
}

QList<QPair<QString, QPair<QString, int>>> Broker::remoteSubscriptionsOf(const NodeId &node) const
{
    QList<QPair<QString, QPair<QString, int>>> result;
    for (auto app = m_apps.cbegin(); app != m_apps.cend(); ++app) {
        for (const auto &entry : app->remote.subscriptionsOf(node)) {
            result.append({app.key(), entry});
        }
    }
    return result;
}

QList<QPair<QString, QPair<QString, int>>> Broker::localSubscriptions() const
{
    QList<QPair<QString, QPair<QString, int>>> result;
    for (auto app = m_apps.cbegin(); app != m_apps.cend(); ++app) {
        for (auto it = app->channels.cbegin(); it != app->channels.cend(); ++it) {
            result.append({app.key(), {it.key(), it->subscriptionCount()}});
        }
    }
    return result;
}

QList<MemberChange> Broker::localMembers() const
{
    QList<MemberChange> result;
    for (auto app = m_apps.cbegin(); app != m_apps.cend(); ++app) {
        for (auto it = app->channels.cbegin(); it != app->channels.cend(); ++it) {
            for (auto member = it->members().cbegin(); member != it->members().cend(); ++member) {
                result.append({app.key(), it.key(), {member.key(), member->userInfo}});
            }
        }
    }
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
        const QString epoch =
                m_epochSource ? m_epochSource(appId, channel) : HistoryStream::newEpoch();
        it = app.histories.insert(channel, HistoryStream(epoch));
    }
    return *it;
}

bool Broker::storeReplica(const QString &appId,
                          const Publication &publication,
                          const QString &epoch,
                          int maxSize,
                          qint64 ttlMs,
                          qint64 nowMs)
{
    AppSpace &app = m_apps[appId];
    auto it = app.histories.find(publication.channel);
    if (it == app.histories.end() || it->epoch() != epoch) {
        it = app.histories.insert(publication.channel, HistoryStream(epoch));
    }
    it->expire(nowMs, ttlMs);
    return it->appendAt(publication, maxSize);
}

void Broker::dropHistories()
{
    for (auto app = m_apps.begin(); app != m_apps.end(); ++app) {
        app->histories.clear();
    }
}

void Broker::dropIdleHistories(
        qint64 nowMs,
        qint64 keepMs,
        const std::function<qint64(const QString &, const QString &)> &ttlMsOf)
{
    for (auto app = m_apps.begin(); app != m_apps.end(); ++app) {
        for (auto it = app->histories.begin(); it != app->histories.end();) {
            it->expire(nowMs, ttlMsOf(app.key(), it.key()));
            if (it->isEmpty() && !app->channels.contains(it.key())
                && nowMs - it->lastAppendMs() > keepMs) {
                it = app->histories.erase(it);
            } else {
                ++it;
            }
        }
    }
}

} // namespace DNotifier::Broker
