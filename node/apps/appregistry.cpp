#include "appregistry.h"

namespace DNotifier::Apps {

AppRegistry::AppRegistry(const QList<Config::AppSettings> &apps)
    : m_apps(apps)
{
    for (qsizetype i = 0; i < m_apps.size(); ++i) {
        m_byKey.insert(m_apps.at(i).key, i);
        m_byId.insert(m_apps.at(i).id, i);
    }
}

const Config::AppSettings *AppRegistry::byKey(QByteArrayView key) const
{
    const auto it = m_byKey.constFind(key.toByteArray());
    return it == m_byKey.cend() ? nullptr : &m_apps.at(*it);
}

const Config::AppSettings *AppRegistry::byId(QStringView id) const
{
    const auto it = m_byId.constFind(id.toString());
    return it == m_byId.cend() ? nullptr : &m_apps.at(*it);
}

} // namespace DNotifier::Apps
