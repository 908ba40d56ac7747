#pragma once

// The broker-thread half of the Pusher adapter. Sessions on I/O threads post already
// verified requests here; the hub applies them to the broker, serialises each resulting
// frame once and hands it to the outlet, and reports webhook events. Single-threaded: every
// method runs on the broker thread.

#include <node/apps/appregistry.h>
#include <node/broker/broker.h>
#include <node/delivery/fanout.h>
#include <node/webhooks/webhookevent.h>

#include <QObject>

#include <memory>

namespace DNotifier::Pusher {

class Hub final : public QObject
{
    Q_OBJECT

public:
    Hub(std::shared_ptr<const Apps::AppRegistry> apps,
        Broker::Broker &broker,
        Delivery::Fanout &fanout,
        Delivery::Outlet *outlet,
        QObject *parent = nullptr);

    void openConnection(Broker::ConnectionId id, const QString &appId, const QByteArray &socketId);
    void closeConnection(Broker::ConnectionId id);
    void subscribe(Broker::ConnectionId id,
                   const QString &channel,
                   const std::optional<Broker::PresenceMember> &member);
    void unsubscribe(Broker::ConnectionId id, const QString &channel);
    void clientEvent(Broker::ConnectionId id, Broker::Publication publication);
    // Sends a frame the session built, in order with the hub's own replies to it.
    void relay(Broker::ConnectionId id, const QByteArray &frame);
    void signIn(Broker::ConnectionId id,
                const QString &userId,
                const QByteArray &userData,
                const QStringList &watchlist);

    // A publication from the HTTP API; `excludeSocketId` names one connection to skip.
    void publish(const QString &appId,
                 Broker::Publication publication,
                 const QByteArray &excludeSocketId);
    // A user entered or left the cluster-wide roster of a presence channel through another
    // node: this node's subscribers of the channel hear about it, webhooks come from there.
    void remoteMemberAdded(const Broker::MemberChange &change);
    void remoteMemberRemoved(const Broker::MemberChange &change);
    // Webhooks this node sends for a node that left or failed (see Cluster::RemoteEvents).
    void reportDepartedMember(const Broker::MemberChange &change);
    void reportDepartedChannel(const QString &appId, const QString &channel);
    // Closes every connection signed in as the user, on every node of the cluster.
    void terminateUser(const QString &appId, const QString &userId);
    // Closes the user's connections on this node; returns how many.
    int terminateLocalUser(const QString &appId, const QString &userId);
    // Closes one connection as terminate_connections would, with error 4009 first, and forgets
    // it at once: whoever asked for it (an operator's kick) sees it gone as soon as this
    // returns, not once its I/O thread reports the close.
    void terminateConnection(Broker::ConnectionId id);

    const Broker::Broker &broker() const { return m_broker; }

Q_SIGNALS:
    void webhookEvent(const QString &appId, const DNotifier::Webhooks::WebhookEvent &event);

private:
    struct ConnectionInfo
    {
        QString appId;
        QByteArray socketId;
    };

    const Config::AppSettings *appOf(Broker::ConnectionId id) const;
    void sendTo(Broker::ConnectionId id, const QByteArray &frame);
    void sendTo(const QList<Broker::ConnectionId> &ids, const QByteArray &frame);
    void confirmSubscription(Broker::ConnectionId id, const QString &channel);
    void replayCache(Broker::ConnectionId id, const QString &appId, const QString &channel);
    void announceCount(const Config::AppSettings &app, const QString &channel, int count);
    void sendCount(const Config::AppSettings &app, const QString &channel, int count);
    void applyUnsubscribe(const QString &appId, const Broker::UnsubscribeOutcome &outcome);
    void announceOnline(const QString &appId, const QString &userId, bool online);
    void report(const QString &appId, const Webhooks::WebhookEvent &event);
    Broker::ConnectionId connectionOfSocket(const QByteArray &socketId) const;

    std::shared_ptr<const Apps::AppRegistry> m_apps;
    Broker::Broker &m_broker;
    Delivery::Fanout &m_fanout;
    Delivery::Outlet *m_outlet;
    QHash<Broker::ConnectionId, ConnectionInfo> m_connections;

    struct CountThrottle
    {
        qint64 lastSentMs = 0;
        bool scheduled = false;
    };

    // Keyed by app id and channel name.
    QHash<QString, CountThrottle> m_countThrottle;
};

} // namespace DNotifier::Pusher
