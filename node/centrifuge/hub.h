#pragma once

// The broker-thread half of the Centrifuge adapter. Sessions on I/O threads post verified
// requests here (tokens already checked); the hub applies them to the shared broker, answers
// with replies built once, and publishes through the shared fan-out so Pusher subscribers of
// the same channel receive the publication too. Single-threaded: every method runs on the
// broker thread.

#include "codec.h"
#include "requests.h"

#include <node/apps/appregistry.h>
#include <node/broker/broker.h>
#include <node/delivery/fanout.h>
#include <node/webhooks/webhookevent.h>

#include <QObject>

#include <memory>

namespace DNotifier::Centrifuge {

class Hub final : public QObject
{
    Q_OBJECT

public:
    Hub(std::shared_ptr<const Apps::AppRegistry> apps,
        Broker::Broker &broker,
        Delivery::Fanout &fanout,
        Delivery::Outlet *outlet,
        QObject *parent = nullptr);

    void connectClient(Broker::ConnectionId id, const ConnectRequest &request);
    void subscribe(Broker::ConnectionId id, const SubscribeRequest &request);
    void unsubscribe(Broker::ConnectionId id, quint32 commandId, const QString &channel);
    // Ends a subscription whose token expired without a refresh: push 2501, which makes the
    // client resubscribe with a fresh token and recover.
    void expireSubscription(Broker::ConnectionId id, const QString &channel);
    void publish(Broker::ConnectionId id,
                 quint32 commandId,
                 const QString &channel,
                 const QByteArray &data,
                 bool subscribersOnly);
    void presence(Broker::ConnectionId id, quint32 commandId, const QString &channel, bool stats);
    void history(Broker::ConnectionId id, const HistoryRequest &request);
    void closeConnection(Broker::ConnectionId id);
    // Sends a frame the session built, in order with the hub's own replies.
    void relay(Broker::ConnectionId id, const QByteArray &frame);

    // Result objects shared by client commands and the server API.
    QByteArray presenceResult(const QString &appId, const QString &channel, bool stats) const;
    Result<QByteArray> historyResult(const Config::AppSettings &app, const HistoryRequest &request);
    // Publishes as a service (no publisher info); returns {offset, epoch} when kept in history.
    Result<QByteArray> publishFromApi(const Config::AppSettings &app,
                                      const QString &channel,
                                      const QByteArray &data,
                                      const QList<QPair<QString, QString>> &tags);
    QByteArray channelsResult(const QString &appId, const QString &pattern) const;
    // A client with presence joined or left the channel on another node.
    void remoteClientJoined(const Broker::ClientChange &change);
    void remoteClientLeft(const Broker::ClientChange &change);
    // The user the connection's token named; empty for anonymous and unknown connections.
    QString userOf(Broker::ConnectionId id) const;
    // Closes one connection with the force-disconnect code, as an operator's kick, and forgets
    // it at once (see Pusher::Hub::terminateConnection).
    bool disconnectConnection(Broker::ConnectionId id);
    // Closes the user's connections (one of them when clientId is set) with 3503, on every
    // node of the cluster.
    void disconnectUser(const QString &appId, const QString &user, const QString &clientId);
    // The same on this node only; returns how many connections it closed.
    int disconnectLocalUser(const QString &appId, const QString &user, const QString &clientId);

Q_SIGNALS:
    void webhookEvent(const QString &appId, const DNotifier::Webhooks::WebhookEvent &event);

private:
    struct Subscription
    {
        QByteArray chanInfo;
        bool joinLeave = false;
    };

    struct Client
    {
        QString appId;
        QString clientId;
        QString user;
        QByteArray connInfo;
        QHash<QString, Subscription> subscriptions;
    };

    const Config::AppSettings *appOf(const Client &client) const;
    // Subscribes and returns the subscribe result's JSON, or an error code.
    Result<QByteArray> addSubscription(Broker::ConnectionId id,
                                       Client &client,
                                       const SubscribeRequest &request);
    QByteArray positionJson(const Config::AppSettings &app,
                            const QString &channel,
                            const RecoverRequest &recover,
                            qint64 expiresAt);
    // Join or leave to the channel's local subscribers that asked for them.
    void announce(const QString &appId,
                  const QString &channel,
                  const ClientInfo &info,
                  bool joined,
                  Broker::ConnectionId except);
    // Tells this node's subscribers and the other nodes about a client that joined or left.
    void clientJoinedOrLeft(const Client &client,
                            const QString &channel,
                            bool joined,
                            Broker::ConnectionId except);
    void afterUnsubscribe(const Client &client, const Broker::UnsubscribeOutcome &outcome);
    // Returns whether the connection was subscribed.
    bool removeSubscription(Broker::ConnectionId id, Client &client, const QString &channel);
    ClientInfo infoOf(const Client &client, const QString &channel) const;
    void report(const QString &appId, const QString &name, const QString &channel);

    std::shared_ptr<const Apps::AppRegistry> m_apps;
    Broker::Broker &m_broker;
    Delivery::Fanout &m_fanout;
    Delivery::Outlet *m_outlet;
    QHash<Broker::ConnectionId, Client> m_clients;
};

} // namespace DNotifier::Centrifuge
