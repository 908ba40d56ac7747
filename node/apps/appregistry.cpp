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

Result<std::shared_ptr<AppRegistry>> AppRegistry::create(const QList<Config::AppSettings> &apps)
{
    std::shared_ptr<AppRegistry> registry(new AppRegistry);
    if (const Result<void> filled = registry->replace(apps); !filled) {
        return filled.error();
    }
    return registry;
}

Result<void> AppRegistry::replace(const QList<Config::AppSettings> &apps)
{
    auto next = std::make_unique<Table>();
    next->apps = apps;
    const Table *previous = m_current.load(std::memory_order_acquire);
    for (qsizetype i = 0; i < apps.size(); ++i) {
        const Config::AppSettings &app = apps.at(i);
        auto keys = keysOf(app);
        if (!keys) {
            return keys.error();
        }
        next->tokenKeys.insert(app.id, keys.value());
        next->byKey.insert(app.key, i);
        next->byId.insert(app.id, i);
        auto counter = previous ? previous->openConnections.value(app.id) : nullptr;
        next->openConnections.insert(app.id,
                                     counter ? counter : std::make_shared<std::atomic<int>>(0));
        auto window = previous ? previous->apiWindows.value(app.id) : nullptr;
        next->apiWindows.insert(app.id, window ? window : std::make_shared<ApiWindow>());
    }
    const std::lock_guard lock(m_replacing);
    m_current.store(next.get(), std::memory_order_release);
    m_tables.push_back(std::move(next));
    return {};
}

const Config::AppSettings *AppRegistry::byKey(QByteArrayView key) const
{
    const Table &current = table();
    const auto it = current.byKey.constFind(key.toByteArray());
    return it == current.byKey.cend() ? nullptr : &current.apps.at(*it);
}

const Config::AppSettings *AppRegistry::byId(QStringView id) const
{
    const Table &current = table();
    const auto it = current.byId.constFind(id.toString());
    return it == current.byId.cend() ? nullptr : &current.apps.at(*it);
}

std::shared_ptr<const Tokens::KeySet> AppRegistry::tokenKeys(const QString &appId) const
{
    return table().tokenKeys.value(appId);
}

bool AppRegistry::tryOpenConnection(const Config::AppSettings &app) const
{
    const auto counter = table().openConnections.value(app.id);
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
    if (const auto counter = table().openConnections.value(appId)) {
        counter->fetch_sub(1, std::memory_order_relaxed);
    }
}

bool AppRegistry::tryApiRequest(const Config::AppSettings &app, qint64 nowMs) const
{
    const auto window = table().apiWindows.value(app.id);
    if (!window) {
        return false;
    }
    const qint64 second = nowMs / 1000;
    qint64 started = window->second.load(std::memory_order_relaxed);
    if (started != second
        && window->second.compare_exchange_strong(started, second, std::memory_order_relaxed)) {
        window->count.store(0, std::memory_order_relaxed);
    }
    return window->count.fetch_add(1, std::memory_order_relaxed) < app.maxApiRequestsPerSecond;
}

} // namespace DNotifier::Apps
