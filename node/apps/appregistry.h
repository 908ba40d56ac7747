#pragma once

// The apps this node serves, looked up by key (WebSocket path) or id (HTTP API path), with
// the keys that verify each app's tokens. Immutable once built, so every thread may read it
// without locking.

#include <common/result.h>
#include <common/tokens/keyset.h>
#include <node/config/settings.h>

#include <QHash>
#include <QList>

#include <atomic>
#include <memory>

namespace DNotifier::Apps {

class AppRegistry final
{
public:
    // Fails when an app's token key file cannot be read or holds no usable key.
    static Result<std::shared_ptr<const AppRegistry>> create(
            const QList<Config::AppSettings> &apps);

    const Config::AppSettings *byKey(QByteArrayView key) const;
    const Config::AppSettings *byId(QStringView id) const;

    const QList<Config::AppSettings> &apps() const { return m_apps; }

    // The app's secret plus the public keys of its token key file.
    std::shared_ptr<const Tokens::KeySet> tokenKeys(const QString &appId) const;

    // Counts the app's open client connections across I/O threads against max_connections.
    // Returns false, taking nothing, when the app is full.
    bool tryOpenConnection(const Config::AppSettings &app) const;
    void closeConnection(const QString &appId) const;

private:
    explicit AppRegistry(const QList<Config::AppSettings> &apps);

    QList<Config::AppSettings> m_apps;
    QHash<QByteArray, qsizetype> m_byKey;
    QHash<QString, qsizetype> m_byId;
    QHash<QString, std::shared_ptr<const Tokens::KeySet>> m_tokenKeys;
    // The map never changes after creation; only the counters move.
    QHash<QString, std::shared_ptr<std::atomic<int>>> m_openConnections;
};

} // namespace DNotifier::Apps
