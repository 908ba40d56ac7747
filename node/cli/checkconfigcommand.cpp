#include "checkconfigcommand.h"

#include <node/config/commandline.h>
#include <node/config/settingsloader.h>

#include <QTextStream>

namespace DNotifier::Cli {

using namespace Qt::Literals::StringLiterals;

int runCheckConfigCommand(const QStringList &arguments, const QProcessEnvironment &environment)
{
    const Result<Config::CommandLine> commandLine = Config::parseCommandLine(arguments);
    if (!commandLine) {
        QTextStream(stderr) << "dnotifier-node check-config: " << commandLine.error().message
                            << '\n';
        return 2;
    }
    if (commandLine->action != Config::CommandLineAction::Run) {
        QTextStream(stdout) << u"Usage: dnotifier-node check-config [the node's flags]\n\n"_s
                            << commandLine->helpText;
        return 0;
    }
    const Result<Config::NodeSettings> settings =
            Config::resolveSettings(*commandLine, environment);
    if (!settings) {
        QTextStream(stderr) << "dnotifier-node check-config: " << settings.error().message << '\n';
        return 2;
    }
    QTextStream(stdout) << u"configuration OK: %1 app(s), clients on %2:%3, data in %4\n"_s
                                   .arg(settings->apps().size())
                                   .arg(settings->host.toString())
                                   .arg(settings->port)
                                   .arg(settings->dataDir);
    return 0;
}

} // namespace DNotifier::Cli
