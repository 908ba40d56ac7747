#pragma once

// Carries out the operators' app credential changes (create, rotate, enable, disable): keeps
// the managed apps (managedapps.h), saves them, serves the result through the registry at
// once, and hands the list to the cluster; takes other nodes' lists the same way. Lives on the
// broker thread.

#include "appregistry.h"
#include "managedapps.h"

#include <QJsonArray>
#include <QJsonObject>

#include <functional>
#include <memory>

namespace DNotifier::Apps {

class CredentialManager final
{
public:
    struct Hooks
    {
        // Passes the managed list to the other nodes.
        std::function<void(const QList<ManagedApp> &)> announce;
        // An app was just disabled: its open connections are to be closed.
        std::function<void(const QString &)> disabled;
    };

    // `configured` are the apps from the settings, before any managed change.
    CredentialManager(QString dataDir,
                      QList<Config::AppSettings> configured,
                      QList<ManagedApp> managed,
                      std::shared_ptr<AppRegistry> registry,
                      Hooks hooks);

    // Every app served, with its credentials and whether it is managed.
    QJsonArray list() const;
    // A new app with a fresh id, key and secret.
    Result<QJsonObject> create();
    // A fresh key and secret for the app; connections opened before keep theirs.
    Result<QJsonObject> rotate(const QString &appId);
    Result<QJsonObject> setEnabled(const QString &appId, bool enabled);
    // The apps as the config file now has them (a reload); the managed changes stay on top.
    Result<void> setConfigured(const QList<Config::AppSettings> &configured);
    // Another node's managed list; returns true when it changed something here.
    bool merge(const QList<ManagedApp> &incoming);

    const QList<ManagedApp> &managed() const { return m_managed; }

    // The apps served: the configured ones with the managed changes on top.
    QList<Config::AppSettings> served() const { return m_registry->apps(); }

private:
    Result<QJsonObject> change(ManagedApp app);
    Result<void> apply();

    QString m_dataDir;
    QList<Config::AppSettings> m_configured;
    QList<ManagedApp> m_managed;
    std::shared_ptr<AppRegistry> m_registry;
    Hooks m_hooks;
};

} // namespace DNotifier::Apps
