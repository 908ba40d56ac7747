#pragma once

// Slows down guessing admin keys: after MaxFailures failed logins from one address within the
// window, logins from that address are refused unchecked until the window has passed. A
// successful login does not clear the count: whoever holds the read-only key could otherwise
// guess the admin key without limit between two logins of their own. Lives on the broker
// thread.

#include <QHash>
#include <QString>

namespace DNotifier::Admin {

class LoginLimiter final
{
public:
    static constexpr int MaxFailures = 5;
    static constexpr qint64 WindowMs = 60'000;

    // 0 when a login from the address may be checked, else how long it must wait.
    qint64 retryAfterMs(const QString &address, qint64 nowMs) const;
    void recordFailure(const QString &address, qint64 nowMs);

private:
    struct Failures
    {
        qint64 windowStartMs = 0;
        int count = 0;
    };

    void forgetOld(qint64 nowMs);

    QHash<QString, Failures> m_failures;
};

} // namespace DNotifier::Admin
