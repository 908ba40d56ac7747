#pragma once

// What the node's subcommands share: they read the same settings as the node (--config,
// --data-dir, DNOTIFIER_* variables), including the default app kept in the data directory.

#include <common/result.h>
#include <node/config/settings.h>

#include <QCommandLineParser>
#include <QProcessEnvironment>

namespace DNotifier::Cli {

void addNodeLocationOptions(QCommandLineParser &parser);

// The node's settings, with the default app's credentials filled in (made on first use).
Result<Config::NodeSettings> loadNodeSettings(const QCommandLineParser &parser,
                                              const QProcessEnvironment &environment);

} // namespace DNotifier::Cli
