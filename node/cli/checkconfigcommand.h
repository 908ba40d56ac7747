#pragma once

// `dnotifier-node check-config [flags]`: reads the settings exactly as the node would start
// with them (config file, DNOTIFIER_* variables, the same flags) and says whether they hold,
// without creating or changing anything. For packages, deployment scripts and a reload.

#include <QProcessEnvironment>
#include <QStringList>

namespace DNotifier::Cli {

// Returns the exit code: 0 when the settings hold, 2 with the reason on stderr otherwise.
int runCheckConfigCommand(const QStringList &arguments, const QProcessEnvironment &environment);

} // namespace DNotifier::Cli
