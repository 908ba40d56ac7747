#pragma once

// Where the console keeps admin keys, one per profile id. Operations are asynchronous (the
// system keychain may ask the user or wake a daemon); each handler runs once, on the GUI
// thread, unless its context object died first. An implementation never falls back to
// storing a secret in plain text: when it cannot keep one, it says so with Unavailable.

#include <common/result.h>

#include <QObject>
#include <QString>

#include <functional>

namespace DNotifier::Console {

class SecretStore : public QObject
{
    Q_OBJECT

public:
    // Error::code of a failed operation.
    enum ErrorCode {
        NotFound = 1,
        // No keychain on this machine, or it refused access: nothing was stored.
        Unavailable = 2,
        Failed = 3,
    };

    using ReadHandler = std::function<void(const Result<QString> &)>;
    using DoneHandler = std::function<void(const Result<void> &)>;

    using QObject::QObject;

    virtual void read(const QString &account, QObject *context, ReadHandler handler) = 0;
    virtual void write(const QString &account,
                       const QString &secret,
                       QObject *context,
                       DoneHandler handler) = 0;
    // Removing an entry that does not exist succeeds.
    virtual void remove(const QString &account, QObject *context, DoneHandler handler) = 0;
};

} // namespace DNotifier::Console
