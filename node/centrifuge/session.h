#pragma once

// The I/O-thread half of one Centrifuge connection: it owns the WebSocket, parses each
// frame's commands, verifies connection and subscription tokens, applies namespace rules,
// pings the client, enforces token expiry, and posts verified requests to the hub on the
// broker thread. Replies travel through the hub so they keep the order of the commands.

#include "codec.h"
#include "requests.h"

#include <common/tokens/jwt.h>
#include <common/tokens/keyset.h>
#include <node/broker/types.h>
#include <node/config/settings.h>
#include <node/observability/nodemetrics.h>
#include <node/transport/clientlimits.h>
#include <node/transport/outgoingframe.h>
#include <node/transport/sessionend.h>
#include <node/websocket/connection.h>

#include <QHash>
#include <QObject>
#include <QPointer>

#include <memory>

namespace DNotifier::Centrifuge {

class Hub;

struct SessionTimings
{
    qint64 pingMs = 25'000;
    qint64 pongMs = 10'000;
    // A connection must send its connect command within this time.
    qint64 staleMs = 10'000;
    // How long a connection may outlive its token's exp before it is closed.
    qint64 expiryGraceMs = 25'000;
};

class Session final : public QObject, private WebSocket::ConnectionListener
{
    Q_OBJECT

public:
    Session(std::unique_ptr<WebSocket::Connection> socket,
            Broker::ConnectionId id,
            const Config::AppSettings &app,
            std::shared_ptr<const Tokens::KeySet> tokenKeys,
            Hub *hub,
            const SessionTimings &timings,
            Transport::SessionEnd *owner,
            QObject *parent);
    ~Session() override;

    Broker::ConnectionId id() const { return m_id; }

    // Counts every frame sent into the node's metrics from now on.
    void countInto(Observability::NodeMetrics *metrics) { m_metrics = metrics; }

    void start();
    void send(const Transport::OutgoingFrame &frame);
    void close(int code, const QString &reason);
    // Pings, and closes connections that are stale, silent or past their token's expiry.
    void checkActivity(qint64 nowMs);

private:
    void expireSubscriptions(qint64 nowMs);
    void textReceived(const QByteArray &message) override;
    void binaryReceived() override;

    // Centrifuge keeps a connection alive by its answers to the server's pings, not by any bytes.
    void bytesArrived() override { }

    void disconnected() override;
    // Returns false when the rest of the frame must not run.
    bool handle(const Command &command);
    bool handleConnect(const Command &command);
    void handleSubscribe(const Command &command);
    void handlePublish(const Command &command);
    void handleReadCommand(const Command &command);
    void handleRefresh(const Command &command);
    void handleSubRefresh(const Command &command);
    Result<Tokens::Claims> verifyToken(const QJsonValue &token) const;
    Result<Config::NamespaceSettings> namespaceFor(const QString &channel) const;
    bool requiresSubscriptionToken(const QString &channel,
                                   const Config::NamespaceSettings &space) const;
    void reply(const QByteArray &frame);
    void replyError(quint32 id, int code, const QString &message);

    template<typename Function>
    void post(Function &&function);

    std::unique_ptr<WebSocket::Connection> m_socket;
    Transport::SessionEnd *m_owner;
    Broker::ConnectionId m_id;
    // The app's entry in the registry's table, which is never freed (AppRegistry): the
    // session keeps the settings it started with, as a copy would, without 288 bytes per
    // connection.
    const Config::AppSettings &m_app;
    Hub *m_hub;
    SessionTimings m_timings;
    std::shared_ptr<const Tokens::KeySet> m_keys;
    Tokens::VerifyOptions m_verifyOptions;
    QString m_clientId;
    QString m_user;
    bool m_connected = false;
    bool m_open = true;
    Transport::RequestRateLimiter m_requestRate;
    qint64 m_startedMs = 0;
    qint64 m_lastPingMs = 0;
    qint64 m_pingSentMs = 0;
    qint64 m_expiresAt = 0;
    // Expiry (seconds since the epoch) of subscriptions made with an expiring token.
    QHash<QString, qint64> m_subscriptionExpiry;
    Observability::NodeMetrics *m_metrics = nullptr;
};

} // namespace DNotifier::Centrifuge
