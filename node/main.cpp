#include <node/cli/jointokencommand.h>
#include <node/cli/tokencommand.h>
#include <node/cluster/cluster.h>
#include <node/config/appstore.h>
#include <node/config/commandline.h>
#include <node/config/settingsloader.h>
#include <node/observability/logformat.h>
#include <node/runtime/banner.h>
#include <node/runtime/clusterstart.h>
#include <node/runtime/noderuntime.h>
#include <node/runtime/signalwatcher.h>

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

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("dnotifier-node"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DNOTIFIER_VERSION));
    Observability::installLogFormat(Observability::chooseLogFormat());

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.value(1) == QLatin1StringView("token")) {
        return Cli::runTokenCommand(arguments.mid(0, 1) + arguments.mid(2),
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

    auto settings = Config::resolveSettings(*commandLine, QProcessEnvironment::systemEnvironment());
    if (!settings) {
        return failStart(settings.error().message);
    }
    const auto credentials =
            Config::ensureDefaultAppCredentials(settings->dataDir, settings->defaultApp);
    if (!credentials) {
        return failStart(credentials.error().message);
    }
    settings.value().defaultApp = credentials->app;
    if (const auto distinct = Config::checkAppsDistinct(*settings); !distinct) {
        return failStart(distinct.error().message);
    }

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
    if (const auto started = runtime.start(); !started) {
        return failStart(started.error().message);
    }
    const Runtime::ClusterBanner clusterBanner{runtime.peerPort(), cluster->identity.clusterId(),
                                               cluster->identity.freshlyGenerated};
    const Runtime::NodeRuntime::AdminEndpoint admin = runtime.adminEndpoint();
    const Runtime::AdminBanner adminBanner{admin.port, admin.fingerprint, admin.newKeys,
                                           admin.keysFile};
    QTextStream(stdout) << Runtime::startBanner(runtime.settings(), runtime.port(), clusterBanner,
                                                adminBanner, credentials->freshlyGenerated,
                                                credentials->filePath)
                        << Qt::flush;
    return QCoreApplication::exec();
}
