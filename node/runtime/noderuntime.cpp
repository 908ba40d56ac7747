#include "noderuntime.h"

#include <node/admin/adminserver.h>
#include <node/apps/appregistry.h>
#include <node/apps/credentialmanager.h>
#include <node/centrifuge/hub.h>
#include <node/cluster/cluster.h>
#include <node/config/settingsloader.h>
#include <node/logging.h>
#include <node/pusher/hub.h>
#include <node/runtime/clusterbridge.h>
#include <node/runtime/servicemanager.h>
#include <node/transport/acceptor.h>
#include <node/transport/connectionquota.h>
#include <node/transport/epolldispatcher.h>
#include <node/transport/ioworker.h>
#include <node/transport/outgoingframe.h>
#include <node/transport/socketbudget.h>
#include <node/transport/tlsidentity.h>
#include <node/webhooks/dispatcher.h>

#include <QDateTime>
#include <QDir>
#include <QHash>

namespace DNotifier::Runtime {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int StateCleanupMs = 60'000;
// How long an emptied history stream is kept (see Broker::dropIdleHistories).
constexpr qint64 EmptyStreamKeepMs = 60 * 60 * 1000;
// Time for close frames to reach clients before the process exits.
constexpr int ShutdownGraceMs = 500;

// One thread per core but one, and at least one. About half of what serving a connection costs
// is the kernel's own network work, which needs a core as much as the node's threads do; and on
// a virtual machine a hand-over to a thread whose CPU sleeps costs tens of microseconds, so on
// two cores one thread that does everything has half the latency of two that hand over (figures
// in docs/performance.md).
int defaultIoThreads()
{
    return qMax(1, QThread::idealThreadCount() - 1);
}

} // namespace

void NodeRuntime::ThreadStopper::operator()(QThread *thread) const
{
    thread->quit();
    thread->wait();
    delete thread;
}

NodeRuntime::NodeRuntime(const Config::NodeSettings &settings,
                         const Cluster::ClusterIdentityView &clusterIdentity,
                         QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_clusterId(clusterIdentity.clusterId)
    , m_clusterSecret(clusterIdentity.secret)
{ }

NodeRuntime::~NodeRuntime()
{
    // The admin server reads the cluster, the broker and the workers.
    m_fanout.setObserver(nullptr);
    delete m_admin;
    // Workers go first: their sessions post to the hub until their threads stop.
    delete m_acceptor;
    m_threads.clear();
    m_mainThreadWorker.reset();
    // The cluster observes the broker and calls the bridge: it goes before both.
    delete m_cluster;
    m_fanout.setForwarder(nullptr);
}

Result<void> NodeRuntime::start()
{
    const Result<std::shared_ptr<Apps::AppRegistry>> registry = loadApps();
    if (!registry) {
        return registry.error();
    }
    const std::shared_ptr<const Apps::AppRegistry> apps = registry.value();
    m_hub = new Pusher::Hub(apps, m_broker, m_fanout, this, this);
    m_centrifugeHub = new Centrifuge::Hub(apps, m_broker, m_fanout, this, this);

    startWebhooks(apps);
    startStateCleanup(apps);
    m_clusterBridge = std::make_unique<ClusterBridge>(apps, m_fanout, m_hub, m_centrifugeHub);
    std::optional<Cluster::PeerTls> peerTls;
    if (m_settings.cluster.peerTls) {
        Result<Cluster::PeerTls> loaded = Cluster::loadOrCreatePeerTls(m_settings.dataDir);
        if (!loaded) {
            return loaded.error();
        }
        peerTls = std::move(loaded).value();
    }
    m_cluster = new Cluster::ClusterNode(m_settings.cluster, {m_clusterId, m_clusterSecret},
                                         QDir(m_settings.dataDir).filePath(Cluster::PeersFileName),
                                         std::move(peerTls), m_broker, m_clusterBridge.get(),
                                         &m_metrics);
    if (const Result<void> joined = m_cluster->start(); !joined) {
        return joined.error();
    }
    m_fanout.setForwarder(m_cluster);
    startCredentials(registry.value());
    const int threadCount = m_settings.ioThreads > 0 ? m_settings.ioThreads : defaultIoThreads();
    m_budget =
            std::make_unique<Transport::SocketBudget>(Transport::SocketBudget::fromOpenFileLimit());
    m_budget->reserveDescriptorTable();
    std::optional<QSslConfiguration> clientTls;
    if (!m_settings.tlsCertificateFile.isEmpty()) {
        const Result<Transport::TlsIdentity> identity =
                Transport::loadTlsIdentity(m_settings.tlsCertificateFile, m_settings.tlsKeyFile);
        if (!identity) {
            return Error{0, u"client port certificate: "_s + identity.error().message};
        }
        clientTls = identity->serverConfiguration();
    }
    m_connectionQuota =
            std::make_unique<Transport::ConnectionQuota>(m_settings.maxClientConnections,
                                                         m_settings.maxConnectionsPerAddress,
                                                         m_settings.trustedProxies);
    const Transport::WorkerContext
            context{apps,           m_hub,      m_centrifugeHub, m_settings,
                    m_budget.get(), &m_metrics, clientTls,       m_connectionQuota.get()};
    // The first worker is the main thread's, where the broker runs: a publication between two
    // of its connections crosses no thread, and one from another worker crosses one. Waking a
    // thread on an idle core costs tens of microseconds on virtual machines, more than the
    // rest of the path.
    m_mainThreadWorker = std::make_unique<Transport::IoWorker>(0, context);
    m_workers.append(m_mainThreadWorker.get());
    for (int i = 1; i < threadCount; ++i) {
        auto thread = std::unique_ptr<QThread, ThreadStopper>(new QThread);
        thread->setObjectName(u"io-%1"_s.arg(i));
        thread->setEventDispatcher(new Transport::EpollDispatcher);
        auto *worker = new Transport::IoWorker(i, context);
        worker->moveToThread(thread.get());
        connect(thread.get(), &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_workers.append(worker);
        m_threads.push_back(std::move(thread));
    }

    if (const Result<void> admin = startAdmin(apps); !admin) {
        return admin.error();
    }

    m_acceptor = new Transport::Acceptor(m_workers, m_budget.get());
    if (!m_acceptor->listen(m_settings.host, m_settings.port)) {
        return Error{0, u"Cannot listen on %1:%2: %3"_s.arg(m_settings.host.toString())
                                .arg(m_settings.port)
                                .arg(m_acceptor->errorString())};
    }
    qCInfo(lcNode) << "listening"
                   << "address=" << m_settings.host.toString()
                   << "port=" << m_acceptor->serverPort() << "io_threads=" << threadCount
                   << "socket_budget=" << m_budget->limit();
    return {};
}

void NodeRuntime::reload(const Config::NodeSettings &fresh)
{
    if (const Result<void> apps = m_credentials->setConfigured(fresh.apps()); !apps) {
        qCWarning(lcNode) << "reload: the apps were not changed:" << apps.error().message;
    } else {
        m_configuredApps = fresh.apps();
        const QList<Config::AppSettings> served = m_credentials->served();
        m_settings.defaultApp = served.constFirst();
        m_settings.extraApps = served.mid(1);
    }
    m_settings.admin.keys = fresh.admin.keys;
    m_admin->setConfiguredKeys(fresh.admin.keys);
    reloadClientTls(fresh);
    qCInfo(lcNode) << "reloaded the apps and the admin keys from the configuration";
}

void NodeRuntime::reloadClientTls(const Config::NodeSettings &fresh)
{
    // Turning TLS on or off changes what the port speaks: that takes a restart.
    if (m_settings.tlsCertificateFile.isEmpty() || fresh.tlsCertificateFile.isEmpty()) {
        return;
    }
    const Result<Transport::TlsIdentity> identity =
            Transport::loadTlsIdentity(fresh.tlsCertificateFile, fresh.tlsKeyFile);
    if (!identity) {
        qCWarning(lcNode).noquote()
                << "reload: the client port keeps its certificate:" << identity.error().message;
        return;
    }
    const QSslConfiguration tls = identity->serverConfiguration();
    for (Transport::IoWorker *worker : std::as_const(m_workers)) {
        QMetaObject::invokeMethod(
                worker, [worker, tls] { worker->setTls(tls); }, Qt::QueuedConnection);
    }
    m_settings.tlsCertificateFile = fresh.tlsCertificateFile;
    m_settings.tlsKeyFile = fresh.tlsKeyFile;
    qCInfo(lcNode) << "reloaded the client port's certificate; new connections use it";
}

void NodeRuntime::shutDown()
{
    if (m_shuttingDown) {
        return;
    }
    m_shuttingDown = true;
    notifyStopping();
    m_metrics.draining.store(1, std::memory_order_relaxed);
    if (m_admin) {
        m_admin->setDraining();
    }
    // Load balancers watching /readyz stop sending new clients first; the node keeps serving
    // the ones it has for the drain delay.
    if (m_settings.drainDelaySeconds > 0) {
        qCInfo(lcNode) << "draining: /readyz fails now; leaving the cluster in"
                       << m_settings.drainDelaySeconds << "s";
        QTimer::singleShot(m_settings.drainDelaySeconds * 1000, this, &NodeRuntime::closeDown);
        return;
    }
    closeDown();
}

void NodeRuntime::closeDown()
{
    qCInfo(lcNode) << "shutting down: leaving the cluster, closing client connections";
    if (m_cluster) {
        m_cluster->leave();
    }
    // The peers now speak for this node's members and channels: the webhooks its closing
    // connections would cause are theirs to send, and would only arrive twice.
    disconnect(m_hub, &Pusher::Hub::webhookEvent, nullptr, nullptr);
    disconnect(m_centrifugeHub, &Centrifuge::Hub::webhookEvent, nullptr, nullptr);
    if (m_acceptor) {
        m_acceptor->close();
    }
    for (Transport::IoWorker *worker : std::as_const(m_workers)) {
        QMetaObject::invokeMethod(
                worker, [worker] { worker->closeAll(); }, Qt::QueuedConnection);
    }
    QTimer::singleShot(ShutdownGraceMs, this, &NodeRuntime::finished);
}

void NodeRuntime::startWebhooks(const std::shared_ptr<const Apps::AppRegistry> &apps)
{
    Webhooks::DispatcherTimings timings;
    timings.leaveDelayMs = qint64(m_settings.webhookLeaveDelaySeconds) * 1000;
    timings.retryWindowMs = qint64(m_settings.webhookRetrySeconds) * 1000;
    auto thread = std::unique_ptr<QThread, ThreadStopper>(new QThread);
    thread->setObjectName(u"webhooks"_s);
    auto *dispatcher = new Webhooks::Dispatcher(apps, timings);
    dispatcher->moveToThread(thread.get());
    connect(thread.get(), &QThread::finished, dispatcher, &QObject::deleteLater);
    connect(m_hub, &Pusher::Hub::webhookEvent, dispatcher, &Webhooks::Dispatcher::report);
    connect(m_centrifugeHub, &Centrifuge::Hub::webhookEvent, dispatcher,
            &Webhooks::Dispatcher::report);
    thread->start();
    m_threads.push_back(std::move(thread));
}

Result<std::shared_ptr<Apps::AppRegistry>> NodeRuntime::loadApps()
{
    m_configuredApps = m_settings.apps();
    Result<QList<Apps::ManagedApp>> managed = Apps::loadManagedApps(m_settings.dataDir);
    if (!managed) {
        return managed.error();
    }
    m_managedApps = std::move(managed).value();
    const QList<Config::AppSettings> apps = Apps::withManagedApps(m_configuredApps, m_managedApps);
    m_settings.defaultApp = apps.constFirst();
    m_settings.extraApps = apps.mid(1);
    if (const Result<void> distinct = Config::checkAppsDistinct(m_settings); !distinct) {
        return Error{0, u"%1 (with the app credentials changed through the admin channel, kept "
                        "in %2)"_s.arg(distinct.error().message, Apps::ManagedAppsFileName)};
    }
    if (!m_managedApps.isEmpty()) {
        qCInfo(lcNode) << "serving" << m_managedApps.size()
                       << "apps with credentials changed through the admin channel, which win "
                          "over the configured ones";
    }
    return Apps::AppRegistry::create(apps);
}

void NodeRuntime::startCredentials(const std::shared_ptr<Apps::AppRegistry> &registry)
{
    Apps::CredentialManager::Hooks hooks;
    hooks.announce = [this](const QList<Apps::ManagedApp> &managed) {
        m_cluster->announceApps(managed);
    };
    hooks.disabled = [this](const QString &appId) {
        qCInfo(lcNode) << "app" << appId << "disabled: closing its connections";
        for (Transport::IoWorker *worker : std::as_const(m_workers)) {
            QMetaObject::invokeMethod(
                    worker, [worker, appId] { worker->closeApp(appId); }, Qt::QueuedConnection);
        }
    };
    m_credentials =
            std::make_unique<Apps::CredentialManager>(m_settings.dataDir, m_configuredApps,
                                                      m_managedApps, registry, std::move(hooks));
    connect(m_cluster, &Cluster::ClusterNode::appsReceived, this,
            [this](const QList<Apps::ManagedApp> &apps) { m_credentials->merge(apps); });
    if (!m_managedApps.isEmpty()) {
        m_cluster->announceApps(m_managedApps);
    }
}

Result<void> NodeRuntime::startAdmin(const std::shared_ptr<const Apps::AppRegistry> &apps)
{
    const Config::AdminSettings &settings = m_settings.admin;
    const Result<Admin::StoredAdminKeys> stored = Admin::loadOrCreateAdminKeys(m_settings.dataDir);
    if (!stored) {
        return stored.error();
    }
    const Result<Transport::TlsIdentity> tls =
            settings.certificateFile.isEmpty()
                    ? Transport::loadOrCreateTlsIdentity(m_settings.dataDir,
                                                         Admin::AdminCertificateFileName,
                                                         Admin::AdminKeyFileName,
                                                         u"dnotifier admin"_s)
                    : Transport::loadTlsIdentity(settings.certificateFile, settings.keyFile);
    if (!tls) {
        return Error{0, u"admin channel certificate: "_s + tls.error().message};
    }

    Admin::AdminDependencies deps;
    deps.commands.settings = m_settings;
    deps.commands.apps = apps;
    deps.commands.clusterSecret = m_clusterSecret;
    deps.commands.peerPort = [this] { return peerPort(); };
    deps.commands.nodeId = [this] { return m_cluster->nodeId(); };
    deps.commands.credentials = m_credentials.get();
    deps.commands.pusherHub = m_hub;
    deps.commands.centrifugeHub = m_centrifugeHub;
    deps.commands.kick = [this](Broker::ConnectionId id) {
        if (Broker::protocolOf(id) == Broker::Protocol::Centrifuge) {
            return m_centrifugeHub->disconnectConnection(id);
        }
        if (!m_broker.hasConnection(id)) {
            return false;
        }
        m_hub->terminateConnection(id);
        return true;
    };
    // After the reply has gone out: the drain closes the admin connection with the rest.
    deps.commands.drain = [this] {
        QTimer::singleShot(ShutdownGraceMs, this, &NodeRuntime::shutDown);
    };
    deps.broker = &m_broker;
    deps.cluster = m_cluster;
    deps.metrics = &m_metrics;
    deps.workers = m_workers;
    deps.userOf = [this](Broker::ConnectionId id) {
        return Broker::protocolOf(id) == Broker::Protocol::Centrifuge ? m_centrifugeHub->userOf(id)
                                                                      : m_broker.userOf(id);
    };
    deps.clusterId = m_clusterId;
    deps.storedKeys = stored->keys;
    deps.configuredKeys = settings.keys;
    deps.tls = *tls;
    deps.startedMs = QDateTime::currentMSecsSinceEpoch();
    m_admin = new Admin::AdminServer(std::move(deps), this);
    if (const Result<void> listening = m_admin->listen(settings.host, settings.port); !listening) {
        return listening;
    }
    m_fanout.setObserver(m_admin);
    m_adminEndpoint.port = m_admin->port();
    m_adminEndpoint.fingerprint = m_admin->fingerprint();
    m_adminEndpoint.keysFile = stored->filePath;
    if (stored->freshlyGenerated) {
        m_adminEndpoint.newKeys = stored->keys;
    }
    return {};
}

void NodeRuntime::startStateCleanup(const std::shared_ptr<const Apps::AppRegistry> &apps)
{
    m_stateCleanup.setInterval(StateCleanupMs);
    connect(&m_stateCleanup, &QTimer::timeout, this, [this, apps] {
        m_broker.dropExpiredCache(QDateTime::currentMSecsSinceEpoch());
        m_broker.dropIdleHistories(QDateTime::currentMSecsSinceEpoch(), EmptyStreamKeepMs,
                                   [&apps](const QString &appId, const QString &channel) -> qint64 {
                                       const Config::AppSettings *app = apps->byId(appId);
                                       const Config::NamespaceSettings *space =
                                               app ? app->namespaceOf(channel) : nullptr;
                                       return space ? qint64(space->historyTtlSeconds) * 1000 : 0;
                                   });
    });
    m_stateCleanup.start();
}

quint16 NodeRuntime::port() const
{
    return m_acceptor ? m_acceptor->serverPort() : 0;
}

quint16 NodeRuntime::peerPort() const
{
    return m_cluster ? m_cluster->peerPort() : 0;
}

void NodeRuntime::send(const QList<Broker::ConnectionId> &recipients, const QByteArray &utf8)
{
    const Transport::OutgoingFrame frame = Transport::serverTextFrame(utf8);
    if (m_workers.size() == 1) {
        Transport::IoWorker *worker = m_workers.first();
        QMetaObject::invokeMethod(
                worker, [worker, recipients, frame] { worker->deliver(recipients, frame); },
                Qt::QueuedConnection);
        return;
    }
    QHash<int, QList<Broker::ConnectionId>> byWorker;
    for (Broker::ConnectionId id : recipients) {
        byWorker[Broker::workerOf(id)].append(id);
    }
    for (auto it = byWorker.cbegin(); it != byWorker.cend(); ++it) {
        Transport::IoWorker *worker = m_workers.value(it.key());
        if (!worker) {
            continue;
        }
        QMetaObject::invokeMethod(
                worker, [worker, ids = it.value(), frame] { worker->deliver(ids, frame); },
                Qt::QueuedConnection);
    }
}

void NodeRuntime::close(Broker::ConnectionId connection, int code, const QString &reason)
{
    Transport::IoWorker *worker = m_workers.value(Broker::workerOf(connection));
    if (!worker) {
        return;
    }
    QMetaObject::invokeMethod(
            worker,
            [worker, connection, code, reason] {
                worker->closeConnection(connection, code, reason);
            },
            Qt::QueuedConnection);
}

} // namespace DNotifier::Runtime
