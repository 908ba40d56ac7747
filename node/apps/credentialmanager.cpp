#include "credentialmanager.h"

#include <common/crypto/digest.h>
#include <node/config/settingsloader.h>
#include <node/logging.h>

#include <QDateTime>

namespace DNotifier::Apps {

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject describe(const Config::AppSettings &app)
{
    return {{"id"_L1, app.id},
            {"key"_L1, QString::fromLatin1(app.key)},
            {"secret"_L1, QString::fromLatin1(app.secret)},
            {"enabled"_L1, app.enabled}};
}

// Each change is later than the last one this node made, even within one millisecond.
qint64 nextVersion(const QList<ManagedApp> &managed)
{
    qint64 latest = 0;
    for (const ManagedApp &app : managed) {
        latest = qMax(latest, app.version);
    }
    return qMax(QDateTime::currentMSecsSinceEpoch(), latest + 1);
}

} // namespace

CredentialManager::CredentialManager(QString dataDir,
                                     QList<Config::AppSettings> configured,
                                     QList<ManagedApp> managed,
                                     std::shared_ptr<AppRegistry> registry,
                                     Hooks hooks)
    : m_dataDir(std::move(dataDir))
    , m_configured(std::move(configured))
    , m_managed(std::move(managed))
    , m_registry(std::move(registry))
    , m_hooks(std::move(hooks))
{ }

QJsonArray CredentialManager::list() const
{
    QJsonArray apps;
    for (const Config::AppSettings &app : m_registry->apps()) {
        QJsonObject entry = describe(app);
        entry.insert("managed"_L1, std::any_of(m_managed.cbegin(), m_managed.cend(),
                                               [&app](const ManagedApp &managed) {
                                                   return managed.id == app.id;
                                               }));
        apps.append(entry);
    }
    return apps;
}

Result<QJsonObject> CredentialManager::create()
{
    ManagedApp app;
    // Six digits that do not start with 0, like a generated default app; retried on a clash.
    do {
        app.id = QString::number(100000 + Crypto::randomUInt32() % 900000);
    } while (m_registry->byId(app.id));
    app.key = Crypto::randomBytes(10).toHex();
    app.secret = Crypto::randomBytes(20).toHex();
    return change(app);
}

Result<QJsonObject> CredentialManager::rotate(const QString &appId)
{
    const Config::AppSettings *served = m_registry->byId(appId);
    if (!served) {
        return Error{0, u"no app with id \"%1\""_s.arg(appId.left(64))};
    }
    return change({appId, Crypto::randomBytes(10).toHex(), Crypto::randomBytes(20).toHex(),
                   served->enabled, 0});
}

Result<QJsonObject> CredentialManager::setEnabled(const QString &appId, bool enabled)
{
    const Config::AppSettings *served = m_registry->byId(appId);
    if (!served) {
        return Error{0, u"no app with id \"%1\""_s.arg(appId.left(64))};
    }
    return change({appId, served->key, served->secret, enabled, 0});
}

Result<QJsonObject> CredentialManager::change(ManagedApp app)
{
    app.version = nextVersion(m_managed);
    const QList<ManagedApp> before = m_managed;
    mergeManagedApps(m_managed, {app});
    if (const Result<void> applied = apply(); !applied) {
        m_managed = before;
        return applied.error();
    }
    m_hooks.announce(m_managed);
    return describe(*m_registry->byId(app.id));
}

Result<void> CredentialManager::setConfigured(const QList<Config::AppSettings> &configured)
{
    const QList<Config::AppSettings> before = m_configured;
    m_configured = configured;
    if (const Result<void> applied = apply(); !applied) {
        m_configured = before;
        return applied;
    }
    return {};
}

bool CredentialManager::merge(const QList<ManagedApp> &incoming)
{
    const QList<ManagedApp> before = m_managed;
    if (!mergeManagedApps(m_managed, incoming)) {
        return false;
    }
    if (const Result<void> applied = apply(); !applied) {
        qCWarning(lcNode) << "app credentials from another node not applied:"
                          << applied.error().message;
        m_managed = before;
        return false;
    }
    m_hooks.announce(m_managed);
    return true;
}

Result<void> CredentialManager::apply()
{
    const QList<Config::AppSettings> apps = withManagedApps(m_configured, m_managed);
    Config::NodeSettings check;
    check.defaultApp = apps.constFirst();
    check.extraApps = apps.mid(1);
    if (const Result<void> distinct = Config::checkAppsDistinct(check); !distinct) {
        return distinct;
    }
    if (const Result<void> saved = saveManagedApps(m_dataDir, m_managed); !saved) {
        return saved;
    }
    QStringList wasEnabled;
    for (const Config::AppSettings &app : m_registry->apps()) {
        if (app.enabled) {
            wasEnabled.append(app.id);
        }
    }
    if (const Result<void> replaced = m_registry->replace(apps); !replaced) {
        return replaced;
    }
    for (const Config::AppSettings &app : apps) {
        if (!app.enabled && wasEnabled.contains(app.id)) {
            m_hooks.disabled(app.id);
        }
    }
    return {};
}

} // namespace DNotifier::Apps
