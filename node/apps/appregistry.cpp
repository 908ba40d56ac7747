#include "appregistry.h"

#include <QFile>

namespace DNotifier::Apps {

using namespace Qt::Literals::StringLiterals;

namespace {

Result<std::shared_ptr<const Tokens::KeySet>> keysOf(const Config::AppSettings &app)
{
    auto keys = std::make_shared<Tokens::KeySet>();
    if (const auto added = keys->addSecret(app.secret); !added) {
        return Error{0,
                     u"app %1: secret cannot sign tokens: %2"_s.arg(app.id, added.error().message)};
    }
    if (app.tokenKeyFile.isEmpty()) {
        return std::shared_ptr<const Tokens::KeySet>(keys);
    }
    QFile file(app.tokenKeyFile);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{0,
                     u"app %1: token_key_file %2 cannot be read: %3"_s.arg(app.id, app.tokenKeyFile,
                                                                           file.errorString())};
    }
    const QByteArray content = file.readAll().trimmed();
    const Result<void> added =
            content.startsWith('{') ? keys->addJwks(content) : keys->addPem(content);
    if (!added) {
        return Error{0, u"app %1: token_key_file %2 holds no usable key: %3"_s
                                .arg(app.id, app.tokenKeyFile, added.error().message)};
    }
    return std::shared_ptr<const Tokens::KeySet>(keys);
}

} // namespace

Result<std::shared_ptr<const AppRegistry>> AppRegistry::create(
        const QList<Config::AppSettings> &apps)
{
    std::shared_ptr<AppRegistry> registry(new AppRegistry(apps));
    for (const Config::AppSettings &app : apps) {
        auto keys = keysOf(app);
        if (!keys) {
            return keys.error();
        }
        registry->m_tokenKeys.insert(app.id, keys.value());
    }
    return std::shared_ptr<const AppRegistry>(registry);
}

AppRegistry::AppRegistry(const QList<Config::AppSettings> &apps)
    : m_apps(apps)
{
    for (qsizetype i = 0; i < m_apps.size(); ++i) {
        m_byKey.insert(m_apps.at(i).key, i);
        m_byId.insert(m_apps.at(i).id, i);
        m_openConnections.insert(m_apps.at(i).id, std::make_shared<std::atomic<int>>(0));
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

std::shared_ptr<const Tokens::KeySet> AppRegistry::tokenKeys(const QString &appId) const
{
    return m_tokenKeys.value(appId);
}

bool AppRegistry::tryOpenConnection(const Config::AppSettings &app) const
{
    const auto counter = m_openConnections.value(app.id);
    if (!counter) {
        return false;
    }
    int open = counter->load(std::memory_order_relaxed);
    do {
        if (open >= app.maxConnections) {
            return false;
        }
    } while (!counter->compare_exchange_weak(open, open + 1, std::memory_order_relaxed));
    return true;
}

void AppRegistry::closeConnection(const QString &appId) const
{
    if (const auto counter = m_openConnections.value(appId)) {
        counter->fetch_sub(1, std::memory_order_relaxed);
    }
}

} // namespace DNotifier::Apps
