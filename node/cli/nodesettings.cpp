#include "nodesettings.h"

#include <node/config/appstore.h>
#include <node/config/settingsloader.h>

#include <QTextStream>

namespace DNotifier::Cli {

using namespace Qt::Literals::StringLiterals;

void addNodeLocationOptions(QCommandLineParser &parser)
{
    parser.addOption({u"config"_s, u"The node's JSON config file."_s, u"file"_s});
    parser.addOption({u"data-dir"_s, u"The node's data directory."_s, u"dir"_s});
}

Result<Config::NodeSettings> loadNodeSettings(const QCommandLineParser &parser,
                                              const QProcessEnvironment &environment)
{
    Config::CommandLine commandLine;
    if (parser.isSet(u"config"_s)) {
        commandLine.configFile = parser.value(u"config"_s);
    }
    if (parser.isSet(u"data-dir"_s)) {
        commandLine.dataDir = parser.value(u"data-dir"_s);
    }
    Result<Config::NodeSettings> settings = Config::resolveSettings(commandLine, environment);
    if (!settings) {
        return settings.error();
    }
    const auto credentials =
            Config::ensureDefaultAppCredentials(settings->dataDir, settings->defaultApp);
    if (!credentials) {
        return credentials.error();
    }
    settings.value().defaultApp = credentials->app;
    // A subcommand run without the node's --data-dir would otherwise answer for an app no node
    // serves, without a word.
    if (credentials->freshlyGenerated) {
        QTextStream(stderr) << "note: " << settings->dataDir
                            << " held no node state, so a new default app was made there; on a "
                               "server, pass the node's own --config and --data-dir\n";
    }
    return settings;
}

} // namespace DNotifier::Cli
