#pragma once

// The broker: channels, subscriptions, presence, cached publications and signed-in users of
// every app on this node. It knows nothing about sockets, threads or wire formats: adapters
// call it with already-verified facts and turn its outcomes into frames. Deterministic and
// single-threaded; it lives on the node's broker thread.

#include "channel.h"
#include "history.h"
#include "remotechannels.h"
#include "types.h"

#include <QHash>
#include <QSet>
#include <QStringList>

#include <functional>

namespace DNotifier::Broker {

// A cache channel's last publication is replayed for at most 30 minutes, as Pusher does.
inline constexpr qint64 CachedPublicationTtlMs = 30 * 60 * 1000;

struct ConnectionRemoval
{
    QList<UnsubscribeOutcome> channels;
    // Set when this was the signed-in user's last connection on the app.
    QString userWentOffline;
};

// Told about changes of this node's own share of the cluster state, which the cluster layer
// announces to peers. Called synchronously from the broker's methods.
class LocalShareObserver
{
public:
    virtual ~LocalShareObserver() = default;
    // The channel's local subscriber count changed; 0 means the last one left.
    virtual void localSubscriptionsChanged(const QString &appId,
                                           const QString &channel,
                                           int count) = 0;
    // A user's first local connection joined a presence channel, or its last one left.
    virtual void localMemberAdded(const QString &appId,
                                  const QString &channel,
                                  const PresenceMember &member) = 0;
    virtual void localMemberRemoved(const QString &appId,
                                    const QString &channel,
                                    const QString &userId) = 0;
};

class Broker final
{
public:
    void setObserver(LocalShareObserver *observer) { m_observer = observer; }

    void addConnection(ConnectionId id, const QString &appId);

    bool hasConnection(ConnectionId id) const { return m_connections.contains(id); }

    QString appOf(ConnectionId id) const;

    int connectionCount() const { return int(m_connections.size()); }

    SubscribeOutcome subscribe(ConnectionId id,
                               const QString &channel,
                               const std::optional<PresenceMember> &member,
                               int maxMembers);
    UnsubscribeOutcome unsubscribe(ConnectionId id, const QString &channel);
    ConnectionRemoval removeConnection(ConnectionId id);

    bool isSubscribed(ConnectionId id, const QString &channel) const;
    int subscriptionCount(ConnectionId id) const;
    // The presence user id the connection joined the channel as, else empty.
    QString memberOf(ConnectionId id, const QString &channel) const;
    QList<ConnectionId> recipients(const QString &appId,
                                   const QString &channel,
                                   ConnectionId except = 0) const;
    // This node's own subscribers and members of the channel, nullptr when it has none.
    const Channel *channel(const QString &appId, const QString &name) const;
    // Cluster-wide views, the union of this node's state and its peers'.
    QList<ChannelSummary> channels(const QString &appId, const QString &prefix) const;
    ChannelSummary summary(const QString &appId, const QString &channel) const;
    QList<PresenceMember> presenceMembers(const QString &appId, const QString &channel) const;

    // Peers' shares, as they announce them. Member changes report whether the cluster-wide
    // roster changed: the user was in no node's share before, or is in none now.
    void setRemoteSubscriptions(const NodeId &node,
                                const QString &appId,
                                const QString &channel,
                                int count);
    QList<NodeId> interestedNodes(const QString &appId, const QString &channel) const;
    bool addRemoteMember(const NodeId &node,
                         const QString &appId,
                         const QString &channel,
                         const PresenceMember &member);
    std::optional<PresenceMember> removeRemoteMember(const NodeId &node,
                                                     const QString &appId,
                                                     const QString &channel,
                                                     const QString &userId);
    // Centrifuge clients with presence held by peers (see RemoteChannels).
    bool addRemoteClient(const NodeId &node,
                         const QString &appId,
                         const QString &channel,
                         const PublisherInfo &client);
    std::optional<PublisherInfo> removeRemoteClient(const NodeId &node,
                                                    const QString &appId,
                                                    const QString &channel,
                                                    const QString &clientId);
    QList<PublisherInfo> remoteClients(const QString &appId, const QString &channel) const;
    QList<ClientChange> remoteClientsOf(const NodeId &node) const;

    struct NodeDeparture
    {
        // Members that left the roster with the node.
        QList<MemberChange> members;
        QList<ClientChange> clients;
    };

    // Forgets a departed node's share.
    NodeDeparture removeNode(const NodeId &node);
    // What a peer announced, for replacing it with a fresh snapshot.
    QList<MemberChange> remoteMembersOf(const NodeId &node) const;
    QList<QPair<QString, QPair<QString, int>>> remoteSubscriptionsOf(const NodeId &node) const;
    // This node's own share, announced in full to a peer when a link comes up.
    QList<QPair<QString, QPair<QString, int>>> localSubscriptions() const;
    QList<MemberChange> localMembers() const;

    void setCached(const QString &appId, const Publication &publication);
    // Forgets cached publications older than the TTL, which are otherwise only checked when
    // read: apps with a cache channel per user would grow without bound.
    void dropExpiredCache(qint64 nowMs);
    std::optional<Publication> cached(const QString &appId,
                                      const QString &channel,
                                      qint64 nowMs,
                                      qint64 ttlMs) const;

    // Returns true when the user had no signed-in connection on the app before.
    bool signIn(ConnectionId id, const QString &userId, const QStringList &watchlist);

    QString userOf(ConnectionId id) const;
    QList<ConnectionId> connectionsOfUser(const QString &appId, const QString &userId) const;
    bool isOnline(const QString &appId, const QString &userId) const;
    // Connections whose watchlist names the user.
    QList<ConnectionId> watchersOf(const QString &appId, const QString &userId) const;

    // Appends to the channel's history stream (created with a new epoch when missing), after
    // dropping what outlived the time to live; returns the publication with its offset.
    Publication appendToHistory(const QString &appId,
                                Publication publication,
                                int maxSize,
                                qint64 ttlMs,
                                qint64 nowMs);
    // The channel's stream, created with a new epoch when missing, expired entries dropped.
    const HistoryStream &stream(const QString &appId,
                                const QString &channel,
                                qint64 nowMs,
                                qint64 ttlMs);
    // Stores a publication another node placed at its offset in the stream of `epoch`; a
    // stream of another epoch is replaced. Returns false when the stream already had it.
    bool storeReplica(const QString &appId,
                      const Publication &publication,
                      const QString &epoch,
                      int maxSize,
                      qint64 ttlMs,
                      qint64 nowMs);
    // Forgets every stream, so each starts again under a new epoch: the node that ordered
    // them failed, and what it sent last may have reached only some nodes.
    void dropHistories();

    // Names the epoch of a stream created from nothing; by default a random one. The cluster
    // makes it the same on every node of a region, so a stream created on two nodes matches.
    void setEpochSource(std::function<QString(const QString &, const QString &)> source)
    {
        m_epochSource = std::move(source);
    }

    // Forgets streams whose publications have all expired, whose channel has no subscribers
    // and that nothing was appended to for `keepMs`, so channels used once do not keep memory
    // forever. Keeping an emptied stream for a while keeps its epoch and top: a stream made
    // again from nothing gets the same epoch (see setEpochSource) and must not reuse offsets
    // a returning client still holds. `ttlMsOf` gives a channel's time to live.
    void dropIdleHistories(qint64 nowMs,
                           qint64 keepMs,
                           const std::function<qint64(const QString &, const QString &)> &ttlMsOf);

private:
    struct ConnectionState
    {
        QString appId;
        // A list, not a set: most connections hold a few channels, and an empty QSet grows to
        // a kilobyte with its first entry, the largest part of an idle connection's memory.
        QList<QString> channels;
        QString userId;
        QStringList watchlist;
    };

    struct AppSpace
    {
        QHash<QString, Channel> channels;
        QHash<QString, Publication> cache;
        QHash<QString, QSet<ConnectionId>> users;
        QHash<QString, QSet<ConnectionId>> watchers;
        QHash<QString, HistoryStream> histories;
        RemoteChannels remote;
    };

    bool hasLocalMember(const QString &appId, const QString &channel, const QString &user) const;
    int userCount(const AppSpace &app, const QString &channel) const;

    QString signOut(ConnectionId id, ConnectionState &state);
    void unwatch(ConnectionId id, ConnectionState &state);
    HistoryStream &streamOf(const QString &appId, const QString &channel);

    QHash<ConnectionId, ConnectionState> m_connections;
    QHash<QString, AppSpace> m_apps;
    LocalShareObserver *m_observer = nullptr;
    std::function<QString(const QString &, const QString &)> m_epochSource;
};

} // namespace DNotifier::Broker
