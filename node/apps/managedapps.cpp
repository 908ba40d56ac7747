#include "managedapps.h"

#include <node/config/privatefiles.h>
#include <node/config/settingsloader.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace DNotifier::Apps {

using namespace Qt::Literals::StringLiterals;

namespace {

bool newer(const ManagedApp &a, const ManagedApp &b)
{
    return a.version != b.version ? a.version > b.version : a.key > b.key;
}

} // namespace

bool isValidManagedApp(const ManagedApp &app)
{
    return Config::checkAppId(u"id"_s, app.id)
           && Config::checkAppKey(u"key"_s, QString::fromLatin1(app.key))
           && Config::checkAppSecret(u"secret"_s, QString::fromLatin1(app.secret));
}

Result<QList<ManagedApp>> loadManagedApps(const QString &dataDir)
{
    const QString path = QDir(dataDir).filePath(ManagedAppsFileName);
    if (!QFile::exists(path)) {
        return QList<ManagedApp>();
    }
    const Result<QJsonObject> root = Config::readJsonObjectFile(path);
    if (!root) {
        return root.error();
    }
    QList<ManagedApp> apps;
    for (const QJsonValue &value : root->value("apps"_L1).toArray()) {
        const QJsonObject entry = value.toObject();
        const ManagedApp app{entry.value("id"_L1).toString(),
                             entry.value("key"_L1).toString().toLatin1(),
                             entry.value("secret"_L1).toString().toLatin1(),
                             entry.value("enabled"_L1).toBool(true),
                             qint64(entry.value("version"_L1).toDouble())};
        if (!isValidManagedApp(app)) {
            return Error{0, u"%1 is damaged: an entry has no valid id, key or secret; restore it "
                            "from a backup, or delete it to serve the configured apps only"_s.arg(
                                    path)};
        }
        apps.append(app);
    }
    return apps;
}

Result<void> saveManagedApps(const QString &dataDir, const QList<ManagedApp> &apps)
{
    QJsonArray entries;
    for (const ManagedApp &app : apps) {
        entries.append(QJsonObject{{"id"_L1, app.id},
                                   {"key"_L1, QString::fromLatin1(app.key)},
                                   {"secret"_L1, QString::fromLatin1(app.secret)},
                                   {"enabled"_L1, app.enabled},
                                   {"version"_L1, app.version}});
    }
    if (const Result<void> ready = Config::ensurePrivateDirectory(dataDir); !ready) {
        return ready;
    }
    return Config::writePrivateFile(QDir(dataDir).filePath(ManagedAppsFileName),
                                    QJsonDocument(QJsonObject{{"apps"_L1, entries}}).toJson());
}

QList<Config::AppSettings> withManagedApps(QList<Config::AppSettings> configured,
                                           const QList<ManagedApp> &managed)
{
    for (const ManagedApp &app : managed) {
        const auto existing = std::find_if(configured.begin(), configured.end(),
                                           [&app](const Config::AppSettings &settings) {
                                               return settings.id == app.id;
                                           });
        Config::AppSettings &settings =
                existing != configured.end() ? *existing : configured.emplace_back();
        settings.id = app.id;
        settings.key = app.key;
        settings.secret = app.secret;
        settings.enabled = app.enabled;
    }
    return configured;
}

bool mergeManagedApps(QList<ManagedApp> &current, const QList<ManagedApp> &incoming)
{
    bool changed = false;
    for (const ManagedApp &app : incoming) {
        if (!isValidManagedApp(app)) {
            continue;
        }
        const auto held =
                std::find_if(current.begin(), current.end(),
                             [&app](const ManagedApp &mine) { return mine.id == app.id; });
        if (held == current.end()) {
            current.append(app);
            changed = true;
        } else if (newer(app, *held)) {
            *held = app;
            changed = true;
        }
    }
    return changed;
}

} // namespace DNotifier::Apps
