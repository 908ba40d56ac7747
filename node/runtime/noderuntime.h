#pragma once

// Wires a running node together: the broker thread's hub, the I/O worker threads and the
// listening socket. It is also the hub's outlet, routing each frame to the worker thread
// that owns the recipient connection. Lives on the main (broker) thread.

#include <common/result.h>
#include <node/apps/managedapps.h>
#include <node/broker/broker.h>
#include <node/config/settings.h>
#include <node/delivery/fanout.h>
#include <node/delivery/outlet.h>
#include <node/observability/nodemetrics.h>

#include <QHostAddress>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <memory>
#include <vector>

namespace DNotifier::Apps {
class AppRegistry;
class CredentialManager;
} // namespace DNotifier::Apps

namespace DNotifier::Pusher {
class Hub;
}

namespace DNotifier::Centrifuge {
class Hub;
}

namespace DNotifier::Cluster {
class ClusterNode;
struct ClusterIdentityView;
} // namespace DNotifier::Cluster

namespace DNotifier::Admin {
class AdminServer;
}

namespace DNotifier::Transport {
class Acceptor;
class ConnectionQuota;
class IoWorker;
class SocketBudget;
} // namespace DNotifier::Transport

namespace DNotifier::Runtime {

class ClusterBridge;

class NodeRuntime final : public QObject, public Delivery::Outlet
{
    Q_OBJECT

public:
    NodeRuntime(const Config::NodeSettings &settings,
                const Cluster::ClusterIdentityView &clusterIdentity,
                QObject *parent = nullptr);
    ~NodeRuntime() override;

    Result<void> start();
    // Fails /readyz, then after the drain delay leaves the cluster, stops accepting and closes
    // every client connection; `finished` follows once the goodbyes and close frames had a
    // moment to leave.
    void shutDown();
    // Applies what can change while running: the apps and the admin keys (settingsreload.h).
    void reload(const Config::NodeSettings &fresh);
    quint16 port() const;
    quint16 peerPort() const;

    struct AdminEndpoint
    {
        quint16 port = 0;
        QString fingerprint;
        // Set only on the start that made the admin keys, so they are shown once.
        QList<Config::AdminKey> newKeys;
        QString keysFile;
    };

    AdminEndpoint adminEndpoint() const { return m_adminEndpoint; }

    Pusher::Hub *hub() const { return m_hub; }

    // The settings in effect: app credentials changed through the admin channel applied.
    const Config::NodeSettings &settings() const { return m_settings; }

    void send(const QList<Broker::ConnectionId> &recipients, const QByteArray &frame) override;

Q_SIGNALS:
    void finished();

public:
    void close(Broker::ConnectionId connection, int code, const QString &reason) override;

private:
    struct ThreadStopper
    {
        void operator()(QThread *thread) const;
    };

    void startWebhooks(const std::shared_ptr<const Apps::AppRegistry> &apps);
    void startStateCleanup(const std::shared_ptr<const Apps::AppRegistry> &apps);
    void closeDown();
    void reloadClientTls(const Config::NodeSettings &fresh);
    Result<void> startAdmin(const std::shared_ptr<const Apps::AppRegistry> &apps);
    // The registry of the configured apps with the managed changes from the data directory.
    Result<std::shared_ptr<Apps::AppRegistry>> loadApps();
    void startCredentials(const std::shared_ptr<Apps::AppRegistry> &registry);

    Config::NodeSettings m_settings;
    // The apps as configured, before any change made through the admin channel.
    QList<Config::AppSettings> m_configuredApps;
    QList<Apps::ManagedApp> m_managedApps;
    std::unique_ptr<Apps::CredentialManager> m_credentials;
    QString m_clusterId;
    QByteArray m_clusterSecret;
    Observability::NodeMetrics m_metrics;
    std::unique_ptr<Transport::SocketBudget> m_budget;
    std::unique_ptr<Transport::ConnectionQuota> m_connectionQuota;
    // Broker state and fan-out live on the main thread, which is the broker thread.
    Broker::Broker m_broker;
    Delivery::Fanout m_fanout{m_broker, this};
    Pusher::Hub *m_hub = nullptr;
    Centrifuge::Hub *m_centrifugeHub = nullptr;
    std::unique_ptr<ClusterBridge> m_clusterBridge;
    Cluster::ClusterNode *m_cluster = nullptr;
    std::vector<std::unique_ptr<QThread, ThreadStopper>> m_threads;
    // The first worker, on the main thread; the others live on m_threads.
    std::unique_ptr<Transport::IoWorker> m_mainThreadWorker;
    QList<Transport::IoWorker *> m_workers;
    Transport::Acceptor *m_acceptor = nullptr;
    Admin::AdminServer *m_admin = nullptr;
    AdminEndpoint m_adminEndpoint;
    QTimer m_stateCleanup;
    bool m_shuttingDown = false;
};

} // namespace DNotifier::Runtime
