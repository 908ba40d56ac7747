#include "loginlimiter.h"

namespace DNotifier::Admin {

namespace {

// Addresses remembered at most, so that a scan from many addresses cannot grow the table
// without bound; past it, windows that have ended are dropped.
constexpr qsizetype MaxTrackedAddresses = 10'000;

} // namespace

qint64 LoginLimiter::retryAfterMs(const QString &address, qint64 nowMs) const
{
    const auto it = m_failures.constFind(address);
    if (it == m_failures.cend() || it->count < MaxFailures) {
        return 0;
    }
    const qint64 windowEndMs = it->windowStartMs + WindowMs;
    return windowEndMs > nowMs ? windowEndMs - nowMs : 0;
}

void LoginLimiter::recordFailure(const QString &address, qint64 nowMs)
{
    if (m_failures.size() >= MaxTrackedAddresses) {
        forgetOld(nowMs);
    }
    Failures &failures = m_failures[address];
    if (failures.count == 0 || nowMs - failures.windowStartMs >= WindowMs) {
        failures = {nowMs, 0};
    }
    ++failures.count;
}

void LoginLimiter::forgetOld(qint64 nowMs)
{
    m_failures.removeIf(
            [nowMs](const auto &entry) { return nowMs - entry.value().windowStartMs >= WindowMs; });
}

} // namespace DNotifier::Admin
