#pragma once

// A real dnotifier-node started for a test: its own data directory, every port picked by the
// system, bound to 127.0.0.1. It reads the start banner for the ports and the admin
// certificate's fingerprint, and the data directory for the admin keys and the default app.
// Extra flags (region, name, seeds) and environment (a shared cluster secret) make clusters.
// The process is killed when this object goes, also when a test fails half-way.

#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

class NodeProcess final : public QObject
{
    Q_OBJECT

public:
    NodeProcess(QString program, QString dataDir, QObject *parent = nullptr);
    ~NodeProcess() override;

    // For the next start(): flags after the ones that pin the node to 127.0.0.1, and variables
    // added to this process's environment.
    void setExtraArguments(const QStringList &arguments) { m_extraArguments = arguments; }

    void setEnvironment(const QProcessEnvironment &environment) { m_environment = environment; }

    // Starts the node and waits for its banner. False (with errorString()) on failure.
    bool start();
    // Kills the node and waits for it to end.
    void stop();

    QString errorString() const { return m_error; }

    QString dataDir() const { return m_dataDir; }

    quint16 port() const { return m_port; }

    quint16 adminPort() const { return m_adminPort; }

    quint16 peerPort() const { return m_peerPort; }

    QString fingerprint() const { return m_fingerprint; }

    // From admin-keys.json: the key of the given role ("admin" or "read-only").
    QString adminKey(const QString &role) const;

    QString appId() const { return m_app.value(QLatin1StringView("id")).toString(); }

    QString appKey() const { return m_app.value(QLatin1StringView("key")).toString(); }

    QString appSecret() const { return m_app.value(QLatin1StringView("secret")).toString(); }

private:
    void readBanner();
    bool bannerComplete() const;

    QString m_program;
    QString m_dataDir;
    QStringList m_extraArguments;
    QProcessEnvironment m_environment;
    QProcess m_process;
    QByteArray m_output;
    QString m_error;
    quint16 m_port = 0;
    quint16 m_adminPort = 0;
    quint16 m_peerPort = 0;
    QString m_fingerprint;
    QJsonObject m_keys;
    QJsonObject m_app;
};
