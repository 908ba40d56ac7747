#pragma once

// A SecretStore that keeps secrets in this process only; for tests, which have no keychain.
// It answers on the next turn of the event loop, as a real keychain would, and can pretend to
// be unavailable.

#include "secretstore.h"

#include <QHash>

namespace DNotifier::Console {

class MemorySecretStore final : public SecretStore
{
    Q_OBJECT

public:
    using SecretStore::SecretStore;

    void read(const QString &account, QObject *context, ReadHandler handler) override;
    void write(const QString &account,
               const QString &secret,
               QObject *context,
               DoneHandler handler) override;
    void remove(const QString &account, QObject *context, DoneHandler handler) override;

    void setAvailable(bool available) { m_available = available; }

    // What the store holds, for tests to look at.
    QHash<QString, QString> contents() const { return m_secrets; }

private:
    Result<QString> lookUp(const QString &account) const;

    QHash<QString, QString> m_secrets;
    bool m_available = true;
};

} // namespace DNotifier::Console
