#include "memorysecretstore.h"

#include <QTimer>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

namespace {

Error unavailable()
{
    return Error{SecretStore::Unavailable, u"the in-memory secret store is switched off"_s};
}

} // namespace

Result<QString> MemorySecretStore::lookUp(const QString &account) const
{
    if (!m_available) {
        return unavailable();
    }
    if (!m_secrets.contains(account)) {
        return Error{NotFound, u"no secret for this profile"_s};
    }
    return m_secrets.value(account);
}

void MemorySecretStore::read(const QString &account, QObject *context, ReadHandler handler)
{
    QTimer::singleShot(0, context, [handler = std::move(handler), result = lookUp(account)] {
        handler(result);
    });
}

void MemorySecretStore::write(const QString &account,
                              const QString &secret,
                              QObject *context,
                              DoneHandler handler)
{
    Result<void> result;
    if (m_available) {
        m_secrets.insert(account, secret);
    } else {
        result = unavailable();
    }
    QTimer::singleShot(0, context, [handler = std::move(handler), result] { handler(result); });
}

void MemorySecretStore::remove(const QString &account, QObject *context, DoneHandler handler)
{
    Result<void> result;
    if (m_available) {
        m_secrets.remove(account);
    } else {
        result = unavailable();
    }
    QTimer::singleShot(0, context, [handler = std::move(handler), result] { handler(result); });
}

} // namespace DNotifier::Console
