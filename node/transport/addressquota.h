#pragma once

// Client connections per remote address, across I/O threads: one host (a scanner, a client
// in a reconnect loop) cannot take the whole node. Trusted proxies are not counted: every
// client behind them shares their address, and the proxy is where per-client limits belong.

#include <QHash>
#include <QMutex>
#include <QSet>
#include <QString>

namespace DNotifier::Transport {

class AddressQuota final
{
public:
    // `limit` 0 counts nothing.
    AddressQuota(int limit, const QList<QString> &trustedProxies);

    // Takes one connection for the address; false, taking nothing, when it has `limit`.
    bool tryOpen(const QString &address);
    void close(const QString &address);

    int limit() const { return m_limit; }

private:
    bool counts(const QString &address) const;

    const int m_limit;
    const QSet<QString> m_trusted;
    QMutex m_lock;
    QHash<QString, int> m_open;
};

} // namespace DNotifier::Transport
