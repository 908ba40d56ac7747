#include <node/cli/checkconfigcommand.h>
#include <node/cli/jointokencommand.h>
#include <node/cli/tokencommand.h>
#include <node/cluster/cluster.h>
#include <node/config/appstore.h>
#include <node/config/commandline.h>
#include <node/config/privatefiles.h>
#include <node/config/settingsloader.h>
#include <node/logging.h>
#include <node/observability/logformat.h>
#include <node/runtime/banner.h>
#include <node/runtime/clusterstart.h>
#include <node/runtime/noderuntime.h>
#include <node/runtime/servicemanager.h>
#include <node/runtime/settingsreload.h>
#include <node/runtime/signalwatcher.h>
#include <node/transport/epolldispatcher.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QProcessEnvironment>
#include <QTextStream>

using namespace DNotifier;

namespace {

int failStart(const QString &message)
{
    QTextStream(stderr) << "dnotifier-node: " << message << '\n';
    return 2;
}

// The settings from the config file, environment and flags, with the default app's generated
// credentials filled in; `credentials` says where they came from.
Result<Config::NodeSettings> loadSettings(const Config::CommandLine &commandLine,
                                          Config::DefaultAppCredentials *credentials)
{
    auto settings = Config::resolveSettings(commandLine, QProcessEnvironment::systemEnvironment());
    if (!settings) {
        return settings.error();
    }
    if (const auto ready = Config::ensurePrivateDirectory(settings->dataDir); !ready) {
        return ready.error();
    }
    if (const auto writable = Config::checkDirectoryWritable(settings->dataDir); !writable) {
        return writable.error();
    }
    auto filled = Config::ensureDefaultAppCredentials(settings->dataDir, settings->defaultApp);
    if (!filled) {
        return filled.error();
    }
    settings.value().defaultApp = filled->app;
    if (const auto distinct = Config::checkAppsDistinct(*settings); !distinct) {
        return distinct.error();
    }
    *credentials = std::move(filled).value();
    return settings;
}

// SIGHUP: reads the configuration again, applies what can change while running and names
// what needs a restart; a configuration that does not load leaves everything as it was.
void reload(Runtime::NodeRuntime &runtime,
            const Config::NodeSettings &configured,
            const Config::CommandLine &commandLine)
{
    Config::DefaultAppCredentials credentials;
    const auto fresh = loadSettings(commandLine, &credentials);
    if (!fresh) {
        qCWarning(lcNode).noquote()
                << "reload failed, the running settings stay:" << fresh.error().message;
        return;
    }
    const QStringList restart = Runtime::settingsNeedingRestart(configured, *fresh);
    if (!restart.isEmpty()) {
        qCWarning(lcNode).noquote()
                << "reload: changed settings that take effect only after a restart:"
                << restart.join(QStringLiteral(", "));
    }
    Observability::setLogLevel(fresh->logLevel);
    runtime.reload(*fresh);
}

// The one line systemd shows for the node (systemctl status).
QString serviceStatus(const Runtime::NodeRuntime &runtime)
{
    return QStringLiteral("serving on port %1, peers on %2, admin on %3")
            .arg(runtime.port())
            .arg(runtime.peerPort())
            .arg(runtime.adminEndpoint().port);
}

} // namespace

int main(int argc, char **argv)
{
    // Qt's GLib event dispatcher keeps a thread's sockets in a linked list that it searches
    // each time a socket starts or stops waiting to write, which is every write on a busy
    // connection: with a thousand subscribers that search was the node's largest cost. The
    // plain Unix dispatcher has no such list; the node uses no GLib sources of its own.
    qputenv("QT_NO_GLIB", "1");
    // The main thread serves client connections as the first I/O worker (NodeRuntime).
    QCoreApplication::setEventDispatcher(new Transport::EpollDispatcher);
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("dnotifier-node"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DNOTIFIER_VERSION));
    Observability::installLogFormat(Observability::chooseLogFormat());

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.value(1) == QLatin1StringView("token")) {
        return Cli::runTokenCommand(arguments.mid(0, 1) + arguments.mid(2),
                                    QProcessEnvironment::systemEnvironment());
    }
    if (arguments.value(1) == QLatin1StringView("check-config")) {
        return Cli::runCheckConfigCommand(arguments.mid(0, 1) + arguments.mid(2),
                                          QProcessEnvironment::systemEnvironment());
    }
    if (arguments.value(1) == QLatin1StringView("join-token")) {
        return Cli::runJoinTokenCommand(arguments.mid(0, 1) + arguments.mid(2),
                                        QProcessEnvironment::systemEnvironment());
    }
    const auto commandLine = Config::parseCommandLine(arguments);
    if (!commandLine) {
        return failStart(commandLine.error().message);
    }
    if (commandLine->action == Config::CommandLineAction::ShowHelp) {
        QTextStream(stdout) << commandLine->helpText;
        return 0;
    }
    if (commandLine->action == Config::CommandLineAction::ShowVersion) {
        QTextStream(stdout) << commandLine->versionText;
        return 0;
    }

    Config::DefaultAppCredentials credentials;
    auto settings = loadSettings(*commandLine, &credentials);
    if (!settings) {
        return failStart(settings.error().message);
    }
    Observability::setLogLevel(settings->logLevel);
    // As configured, for telling what a reload changed.
    const Config::NodeSettings configured = *settings;

    const auto cluster =
            Runtime::resolveClusterStart(*settings, QDateTime::currentSecsSinceEpoch());
    if (!cluster) {
        return failStart(cluster.error().message);
    }
    settings.value().cluster.seeds = cluster->seeds;

    Runtime::NodeRuntime runtime(*settings,
                                 Cluster::ClusterIdentityView{cluster->identity.clusterId(),
                                                              cluster->identity.secret});
    Runtime::SignalWatcher terminationSignals;
    QObject::connect(&terminationSignals, &Runtime::SignalWatcher::terminationRequested, &runtime,
                     &Runtime::NodeRuntime::shutDown);
    QObject::connect(&runtime, &Runtime::NodeRuntime::finished, &application,
                     &QCoreApplication::quit);
    QObject::connect(&terminationSignals, &Runtime::SignalWatcher::reloadRequested, &runtime,
                     [&runtime, &configured, commandLine = *commandLine] {
                         Runtime::notifyReloading();
                         reload(runtime, configured, commandLine);
                         Runtime::notifyReady(serviceStatus(runtime));
                     });
    if (const auto started = runtime.start(); !started) {
        return failStart(started.error().message);
    }
    const Runtime::ClusterBanner clusterBanner{runtime.peerPort(), cluster->identity.clusterId(),
                                               cluster->identity.freshlyGenerated};
    const Runtime::NodeRuntime::AdminEndpoint admin = runtime.adminEndpoint();
    const Runtime::AdminBanner adminBanner{admin.port, admin.fingerprint, admin.newKeys,
                                           admin.keysFile};
    QTextStream(stdout) << Runtime::startBanner(runtime.settings(), runtime.port(), clusterBanner,
                                                adminBanner, credentials.freshlyGenerated,
                                                credentials.filePath)
                        << Qt::flush;
    Runtime::notifyReady(serviceStatus(runtime));
    return QCoreApplication::exec();
}
