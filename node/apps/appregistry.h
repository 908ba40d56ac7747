#pragma once

// The apps this node serves, looked up by key (WebSocket path) or id (HTTP API path).
// Immutable once built, so every thread may read it without locking.

#include <node/config/settings.h>

#include <QHash>
#include <QList>

namespace DNotifier::Apps {

class AppRegistry final
{
public:
    explicit AppRegistry(const QList<Config::AppSettings> &apps);

    const Config::AppSettings *byKey(QByteArrayView key) const;
    const Config::AppSettings *byId(QStringView id) const;

    const QList<Config::AppSettings> &apps() const { return m_apps; }

private:
    QList<Config::AppSettings> m_apps;
    QHash<QByteArray, qsizetype> m_byKey;
    QHash<QString, qsizetype> m_byId;
};

} // namespace DNotifier::Apps
