#pragma once

// The admin channel's endpoint (docs/admin-protocol.md): a TLS WebSocket listener on its own
// port, the keys and login limits, the audit log, and the cluster-wide views its streams
// show. Once a second it samples this node's activity, sends its status to the other nodes
// and refreshes every open stream. It watches publications for channel rates and tails.
// Lives on the broker thread.

#include "activitysampler.h"
#include "admincommands.h"
#include "adminkeys.h"
#include "auditlog.h"
#include "clusterview.h"
#include "listings.h"
#include "loginlimiter.h"
#include "streamview.h"

#include <node/broker/broker.h>
#include <node/delivery/fanout.h>
#include <node/transport/tlsidentity.h>

#include <QHash>
#include <QMultiHash>
#include <QObject>
#include <QTimer>

class QSslServer;
class QSslSocket;
class QWebSocketServer;

namespace DNotifier::Cluster {
class ClusterNode;
}

namespace DNotifier::Transport {
class IoWorker;
}

namespace DNotifier::Admin {

class AdminSession;

struct AdminDependencies
{
    CommandTargets commands;
    Broker::Broker *broker = nullptr;
    Cluster::ClusterNode *cluster = nullptr;
    const Observability::NodeMetrics *metrics = nullptr;
    QList<Transport::IoWorker *> workers;
    // The user a connection signed in as, whichever protocol it speaks.
    std::function<QString(Broker::ConnectionId)> userOf;
    QString clusterId;
    // The keys kept in the data directory, and those from the config file.
    QList<Config::AdminKey> storedKeys;
    QList<Config::AdminKey> configuredKeys;
    Transport::TlsIdentity tls;
    qint64 startedMs = 0;
};

class AdminServer final : public QObject, public Delivery::PublicationObserver
{
    Q_OBJECT

public:
    explicit AdminServer(AdminDependencies dependencies, QObject *parent = nullptr);
    ~AdminServer() override;

    Result<void> listen(const QHostAddress &host, quint16 port);
    quint16 port() const;
    // SHA-256 of the certificate, as the console pins it.
    QString fingerprint() const;

    void setDraining() { m_draining = true; }

    // The config file's admin keys after a reload, beside those of the data directory.
    void setConfiguredKeys(const QList<Config::AdminKey> &keys);

    void accepted(const QString &appId, const Broker::Publication &publication) override;

    // For the sessions.
    Result<Config::AdminKey> login(const QString &address,
                                   const QByteArray &key,
                                   const QString &client);
    qint64 retryAfterMs(const QString &address) const;
    QJsonObject helloResult(const Config::AdminKey &key, int protocol) const;
    Result<StreamView> streamView(const QString &kind, const QJsonObject &params) const;
    // Runs a command; `done` gets its result, at once or once another node has answered.
    void command(const Config::AdminKey &key,
                 const QString &address,
                 const QString &method,
                 const QJsonObject &params,
                 std::function<void(const Result<QJsonObject> &)> done);
    void addTail(AdminSession *session, int stream, const QJsonObject &params);
    void removeTail(AdminSession *session, int stream);
    void removeTails(AdminSession *session);

private:
    struct TailRef
    {
        AdminSession *session = nullptr;
        int stream = 0;
    };

    struct RemoteList
    {
        QList<QJsonObject> items;
        int total = 0;
        qint64 receivedMs = 0;
    };

    // Another node's tail of a channel: publications accepted here are sent to it.
    struct TailLease
    {
        QString node;
        QString app;
        QString channel;
        qint64 expiresMs = 0;
        // Sent, and left out, since the last tick.
        int sent = 0;
        qint64 dropped = 0;
    };

    struct PendingRequest
    {
        qint64 sentMs = 0;
        std::function<void(const QJsonObject &)> onAnswer;
        std::function<void()> onNoAnswer;
    };

    void onEncrypted();
    void onNewConnection();
    void tick();
    // not_found unless the id is empty (every app) or names an app this node serves.
    Result<void> knownApp(const QString &appId) const;
    // Sends a request to another node; exactly one of the callbacks runs, the second when
    // no route leads there or no answer came within a few seconds.
    void ask(const QString &node,
             const QJsonObject &request,
             std::function<void(const QJsonObject &)> onAnswer,
             std::function<void()> onNoAnswer);
    void onAdminReceived(const QString &from, quint64 id, bool answer, const QByteArray &body);
    QJsonObject answer(const QJsonObject &request);
    // Asks every other node for its share of each connections stream that is open.
    void askForConnections();
    // Asks every other node to send the publications it accepts on the channels tailed here.
    void renewTailLeases();
    void showTail(const QString &appId, const QString &channel, const QJsonObject &entry);
    void sendToLeases(const QString &appId, const QString &channel, const QJsonObject &entry);
    void kickOnNode(const QString &node,
                    const QString &connection,
                    std::function<void(const Result<QJsonObject> &)> done);
    void gatherConnectionFacts();
    NodeStatus ownStatus() const;
    ClusterSnapshot snapshot() const;
    QList<ConnectionRow> connectionRows() const;

    AdminDependencies m_deps;
    AdminKeyring m_keyring;
    // The keys kept in the data directory, which a reload keeps.
    QList<Config::AdminKey> m_storedKeys;
    LoginLimiter m_limiter;
    AuditLog m_audit;
    ActivitySampler m_sampler;
    // TLS first, then the WebSocket upgrade over the encrypted socket: owning the TLS socket
    // lets a session see how much it has not sent yet (see AdminSession::sendJson).
    QSslServer *m_listener;
    QWebSocketServer *m_upgrader;
    // Encrypted sockets in the WebSocket upgrade, by peer address and port.
    QHash<QPair<QString, quint16>, QSslSocket *> m_upgrading;
    QList<AdminSession *> m_sessions;
    QTimer m_tick;
    bool m_draining = false;
    // Tails by "app\nchannel".
    QMultiHash<QString, TailRef> m_tails;
    // Other nodes' tails of channels, by node and "app\nchannel".
    QHash<QString, TailLease> m_leases;
    // The last connection facts each I/O worker reported, by worker index.
    QHash<int, QList<Transport::ConnectionFacts>> m_facts;
    QHash<quint64, PendingRequest> m_pending;
    quint64 m_lastRequest = 0;
    // When another node last asked for this node's connections.
    qint64 m_lastAskedMs = 0;
    // Other nodes' shares of the connections streams, by query (see remoteListKey) and node.
    QHash<QString, QHash<QString, RemoteList>> m_remoteConnections;
};

} // namespace DNotifier::Admin
