#pragma once

// App credentials that operators create or change through the admin channel. They are kept
// in <dataDir>/apps.json and shared with every node of the cluster, and they win over the
// config file, environment and flags: a rotation made from the console holds on every node
// and across restarts. Each change carries the time it was made; where two nodes disagree,
// the later change wins everywhere (ties go to the larger key), so the cluster converges
// whatever order the changes travel in. Pure functions and files; no threads.

#include <common/result.h>
#include <node/config/settings.h>

#include <QLatin1StringView>
#include <QList>

namespace DNotifier::Apps {

inline constexpr QLatin1StringView ManagedAppsFileName("apps.json");

struct ManagedApp
{
    QString id;
    QByteArray key;
    QByteArray secret;
    bool enabled = true;
    // When an operator last changed the app, in ms since the epoch.
    qint64 version = 0;

    friend bool operator==(const ManagedApp &, const ManagedApp &) = default;
};

// The entries of <dataDir>/apps.json; none when the file does not exist.
Result<QList<ManagedApp>> loadManagedApps(const QString &dataDir);
Result<void> saveManagedApps(const QString &dataDir, const QList<ManagedApp> &apps);

// Whether the entry could be served: id, key and secret as the config file would accept them.
bool isValidManagedApp(const ManagedApp &app);

// The configured apps with the managed changes applied: a managed app whose id is configured
// replaces its key, secret and enabled flag; any other is added with the built-in limits.
QList<Config::AppSettings> withManagedApps(QList<Config::AppSettings> configured,
                                           const QList<ManagedApp> &managed);

// Takes from `incoming` each app that is newer than the one in `current`; true when
// anything changed.
bool mergeManagedApps(QList<ManagedApp> &current, const QList<ManagedApp> &incoming);

} // namespace DNotifier::Apps
