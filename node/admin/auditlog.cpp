#include "auditlog.h"

#include <node/logging.h>

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

AuditLog::AuditLog(const QString &dataDir)
    : m_file(QDir(dataDir).filePath(AuditLogFileName))
{ }

void AuditLog::append(const AuditEntry &entry)
{
    if (!m_file.isOpen() && !m_openFailed) {
        if (!m_file.open(QIODevice::Append | QIODevice::WriteOnly)) {
            m_openFailed = true;
            qCWarning(lcAdmin) << "cannot open the admin audit log" << m_file.fileName() << ":"
                               << m_file.errorString();
            return;
        }
        m_file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    }
    if (!m_file.isOpen()) {
        return;
    }
    const QJsonObject line{{"time"_L1, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                           {"key_name"_L1, entry.keyName},
                           {"role"_L1, entry.role},
                           {"address"_L1, entry.address},
                           {"method"_L1, entry.method},
                           {"params"_L1, entry.params},
                           {"outcome"_L1, entry.outcome}};
    m_file.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
    m_file.flush();
}

} // namespace DNotifier::Admin
