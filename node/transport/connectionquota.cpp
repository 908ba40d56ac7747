#include "connectionquota.h"

#include <QHostAddress>

namespace DNotifier::Transport {

namespace {

// One spelling per address ("::ffff:127.0.0.1" and "127.0.0.1" are the same host).
QString canonical(const QString &address)
{
    QHostAddress host(address);
    bool mapped = false;
    const quint32 ipv4 = host.toIPv4Address(&mapped);
    return mapped ? QHostAddress(ipv4).toString() : host.toString();
}

QSet<QString> canonicalSet(const QList<QString> &addresses)
{
    QSet<QString> set;
    for (const QString &address : addresses) {
        set.insert(canonical(address));
    }
    return set;
}

} // namespace

ConnectionQuota::ConnectionQuota(int nodeLimit,
                                 int addressLimit,
                                 const QList<QString> &trustedProxies)
    : m_nodeLimit(nodeLimit)
    , m_addressLimit(addressLimit)
    , m_trusted(canonicalSet(trustedProxies))
{ }

bool ConnectionQuota::countsAddress(const QString &address) const
{
    return m_addressLimit > 0 && !m_trusted.contains(address);
}

QuotaRefusal ConnectionQuota::tryOpen(const QString &address)
{
    const QString host = canonical(address);
    const QMutexLocker lock(&m_lock);
    if (m_nodeLimit > 0 && m_nodeOpen >= m_nodeLimit) {
        return QuotaRefusal::NodeFull;
    }
    if (countsAddress(host)) {
        int &open = m_open[host];
        if (open >= m_addressLimit) {
            if (open == 0) {
                m_open.remove(host);
            }
            return QuotaRefusal::AddressFull;
        }
        ++open;
    }
    ++m_nodeOpen;
    return QuotaRefusal::None;
}

void ConnectionQuota::close(const QString &address)
{
    const QString host = canonical(address);
    const QMutexLocker lock(&m_lock);
    --m_nodeOpen;
    if (!countsAddress(host)) {
        return;
    }
    const auto it = m_open.find(host);
    if (it != m_open.end() && --it.value() <= 0) {
        m_open.erase(it);
    }
}

} // namespace DNotifier::Transport
