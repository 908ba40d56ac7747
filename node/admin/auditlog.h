#pragma once

// The record of what operators did through the admin channel: one JSON line per command and
// per failed login, appended to <dataDir>/audit.log (mode 0600). Lives on the broker thread.

#include <QFile>
#include <QJsonObject>
#include <QString>

namespace DNotifier::Admin {

inline constexpr QLatin1StringView AuditLogFileName("audit.log");

struct AuditEntry
{
    QString keyName;
    QString role;
    QString address;
    QString method;
    // With secrets already removed.
    QJsonObject params;
    // "ok" or an error code of the admin protocol.
    QString outcome;
};

class AuditLog final
{
public:
    explicit AuditLog(const QString &dataDir);

    void append(const AuditEntry &entry);

private:
    QFile m_file;
    // The open failure is logged once, not on every command.
    bool m_openFailed = false;
};

} // namespace DNotifier::Admin
