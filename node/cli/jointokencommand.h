#pragma once

// `dnotifier-node join-token`: prints a join token for this node's cluster (its secret, seed
// addresses and an expiry), so an operator can add a node with `dnotifier-node --join <token>`.
// Creates the data directory's cluster.json when the node has no cluster secret yet.

#include <QProcessEnvironment>
#include <QStringList>

namespace DNotifier::Cli {

// Returns the process exit code: 0 on success, 2 when the arguments or settings are wrong.
int runJoinTokenCommand(const QStringList &arguments, const QProcessEnvironment &environment);

} // namespace DNotifier::Cli
