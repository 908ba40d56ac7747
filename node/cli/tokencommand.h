#pragma once

// `dnotifier-node token`: prints a signed connection token for one of the node's apps, so an
// operator on a server can mint credentials without the console.

#include <QProcessEnvironment>
#include <QStringList>

namespace DNotifier::Cli {

// Returns the process exit code: 0 on success, 2 when the arguments or settings are wrong.
int runTokenCommand(const QStringList &arguments, const QProcessEnvironment &environment);

} // namespace DNotifier::Cli
