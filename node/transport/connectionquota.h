#pragma once

// Client connections of the whole node and per remote address, across I/O threads: a node
// full of clients refuses new ones with a protocol error instead of running out of memory, and
// one host (a scanner, a client in a reconnect loop) cannot take the whole node. Trusted
// proxies are not counted per address: every client behind them shares their address, and the
// proxy is where per-client limits belong. They count towards the node's limit like any other.

#include <QHash>
#include <QMutex>
#include <QSet>
#include <QString>

namespace DNotifier::Transport {

enum class QuotaRefusal {
    None,
    NodeFull,
    AddressFull,
};

class ConnectionQuota final
{
public:
    // A limit of 0 counts nothing.
    ConnectionQuota(int nodeLimit, int addressLimit, const QList<QString> &trustedProxies);

    // Takes one connection of the node and of the address, or none and says which limit
    // refused it.
    QuotaRefusal tryOpen(const QString &address);
    void close(const QString &address);

    int nodeLimit() const { return m_nodeLimit; }

    int addressLimit() const { return m_addressLimit; }

private:
    bool countsAddress(const QString &address) const;

    const int m_nodeLimit;
    const int m_addressLimit;
    const QSet<QString> m_trusted;
    QMutex m_lock;
    int m_nodeOpen = 0;
    QHash<QString, int> m_open;
};

} // namespace DNotifier::Transport
