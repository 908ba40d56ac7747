#pragma once

// The apps this node serves, looked up by key (WebSocket path) or id (HTTP API path), with
// the keys that verify each app's tokens. Every thread reads it without locking. The set of
// apps changes only when an operator changes credentials through the admin channel: replace()
// publishes a new table, and earlier tables are kept for the life of the process, so a
// pointer a reader holds stays valid. Such changes are rare, and a table is a few kilobytes.

#include <common/result.h>
#include <common/tokens/keyset.h>
#include <node/config/settings.h>

#include <QHash>
#include <QList>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace DNotifier::Apps {

class AppRegistry final
{
public:
    // Fails when an app's token key file cannot be read or holds no usable key.
    static Result<std::shared_ptr<AppRegistry>> create(const QList<Config::AppSettings> &apps);

    const Config::AppSettings *byKey(QByteArrayView key) const;
    const Config::AppSettings *byId(QStringView id) const;

    // The first is the default app.
    const QList<Config::AppSettings> &apps() const { return table().apps; }

    // The app's secret plus the public keys of its token key file.
    std::shared_ptr<const Tokens::KeySet> tokenKeys(const QString &appId) const;

    // Counts the app's open client connections across I/O threads against max_connections.
    // Returns false, taking nothing, when the app is full.
    bool tryOpenConnection(const Config::AppSettings &app) const;
    void closeConnection(const QString &appId) const;
    // Counts a request to the app's HTTP APIs against max_api_requests_per_second, in windows
    // of one clock second shared by the I/O threads; false when the window is full. Threads
    // racing at a window's start may let a few requests more through.
    bool tryApiRequest(const Config::AppSettings &app, qint64 nowMs) const;

    // Serves `apps` from now on; connection counts carry over by app id. Call from one thread.
    Result<void> replace(const QList<Config::AppSettings> &apps);

private:
    struct ApiWindow
    {
        std::atomic<qint64> second{0};
        std::atomic<int> count{0};
    };

    struct Table
    {
        QList<Config::AppSettings> apps;
        QHash<QByteArray, qsizetype> byKey;
        QHash<QString, qsizetype> byId;
        QHash<QString, std::shared_ptr<const Tokens::KeySet>> tokenKeys;
        QHash<QString, std::shared_ptr<std::atomic<int>>> openConnections;
        QHash<QString, std::shared_ptr<ApiWindow>> apiWindows;
    };

    AppRegistry() = default;

    const Table &table() const { return *m_current.load(std::memory_order_acquire); }

    std::atomic<const Table *> m_current{nullptr};
    std::mutex m_replacing;
    std::vector<std::unique_ptr<const Table>> m_tables;
};

} // namespace DNotifier::Apps
