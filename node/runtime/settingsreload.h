#pragma once

// What a SIGHUP can change in a running node. Apps (credentials, limits, webhooks,
// namespaces), the admin keys from the config file and the client port's certificate files
// take effect at once; everything else is
// bound to sockets, threads or the cluster's view of the node and needs a restart, which the
// reload names rather than half-applying. Pure function.

#include <node/config/settings.h>

#include <QStringList>

namespace DNotifier::Runtime {

// The config keys whose values differ between the running and the freshly read settings
// and that only a restart applies.
QStringList settingsNeedingRestart(const Config::NodeSettings &running,
                                   const Config::NodeSettings &fresh);

} // namespace DNotifier::Runtime
