#pragma once

// Builds the node's settings from four layers, each overriding the one before: built-in
// defaults (settings.h), the JSON config file, DNOTIFIER_* environment variables, command-line
// flags. docs/configuration.md lists every key.
//
// Every value is checked even when a higher layer overrides it, so a broken config file is
// reported instead of lying in wait. An error names the key as the user wrote it (config key,
// environment variable or flag), the rejected value and what would be accepted. Secrets are
// never echoed.

#include "commandline.h"
#include "settings.h"

#include <common/result.h>

#include <QProcessEnvironment>
#include <QString>

namespace DNotifier::Config {

// The default app's id, key and secret stay empty unless a layer sets them;
// ensureDefaultAppCredentials() (appstore.h) fills the gaps from the data directory.
// The data directory is always absolute in the result; environment lookups (including HOME and
// XDG_DATA_HOME for the default data directory) go to `environment`, not the process.
Result<NodeSettings> resolveSettings(const CommandLine &commandLine,
                                     const QProcessEnvironment &environment);

// No two apps share an id or a key. resolveSettings() checks this; call it again once the
// default app's credentials have been filled in from the data directory.
Result<void> checkAppsDistinct(const NodeSettings &settings);

// Value checks shared with appstore.cpp, which reads the default app's credentials back from
// disk. `label` names the value in the error message.
Result<void> checkAppId(const QString &label, const QString &id);
Result<void> checkAppKey(const QString &label, const QString &key);
Result<void> checkAppSecret(const QString &label, const QString &secret);

} // namespace DNotifier::Config
