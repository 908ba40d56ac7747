#pragma once

// The broker: channels, subscriptions, presence, cached publications and signed-in users of
// every app on this node. It knows nothing about sockets, threads or wire formats: adapters
// call it with already-verified facts and turn its outcomes into frames. Deterministic and
// single-threaded; it lives on the node's broker thread.

#include "channel.h"
#include "history.h"
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

class Broker final
{
public:
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
    const Channel *channel(const QString &appId, const QString &name) const;
    QList<ChannelSummary> channels(const QString &appId, const QString &prefix) const;

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
    // Forgets streams whose publications have all expired and whose channel has no
    // subscribers, so channels used once do not keep memory forever. `ttlMsOf` gives a
    // channel's time to live.
    void dropIdleHistories(qint64 nowMs,
                           const std::function<qint64(const QString &, const QString &)> &ttlMsOf);

private:
    struct ConnectionState
    {
        QString appId;
        QSet<QString> channels;
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
    };

    QString signOut(ConnectionId id, ConnectionState &state);
    void unwatch(ConnectionId id, ConnectionState &state);
    HistoryStream &streamOf(const QString &appId, const QString &channel);

    QHash<ConnectionId, ConnectionState> m_connections;
    QHash<QString, AppSpace> m_apps;
};

} // namespace DNotifier::Broker
