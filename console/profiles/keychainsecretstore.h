#pragma once

// A SecretStore backed by the operating system's keychain through QtKeychain (Secret Service
// on Linux, Keychain on macOS, Credential Manager on Windows). QtKeychain's insecure
// fallback, which would write the secret to a settings file, is never enabled: without a
// keychain the operations fail with Unavailable.

#include "secretstore.h"

namespace DNotifier::Console {

class KeychainSecretStore final : public SecretStore
{
    Q_OBJECT

public:
    // `service` names the console's entries in the keychain.
    explicit KeychainSecretStore(QString service, QObject *parent = nullptr);

    void read(const QString &account, QObject *context, ReadHandler handler) override;
    void write(const QString &account,
               const QString &secret,
               QObject *context,
               DoneHandler handler) override;
    void remove(const QString &account, QObject *context, DoneHandler handler) override;

private:
    QString m_service;
};

} // namespace DNotifier::Console
