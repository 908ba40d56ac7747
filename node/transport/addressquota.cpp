#include "addressquota.h"

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

AddressQuota::AddressQuota(int limit, const QList<QString> &trustedProxies)
    : m_limit(limit)
    , m_trusted(canonicalSet(trustedProxies))
{ }

bool AddressQuota::counts(const QString &address) const
{
    return m_limit > 0 && !m_trusted.contains(address);
}

bool AddressQuota::tryOpen(const QString &address)
{
    const QString host = canonical(address);
    if (!counts(host)) {
        return true;
    }
    const QMutexLocker lock(&m_lock);
    int &open = m_open[host];
    if (open >= m_limit) {
        if (open == 0) {
            m_open.remove(host);
        }
        return false;
    }
    ++open;
    return true;
}

void AddressQuota::close(const QString &address)
{
    const QString host = canonical(address);
    if (!counts(host)) {
        return;
    }
    const QMutexLocker lock(&m_lock);
    const auto it = m_open.find(host);
    if (it != m_open.end() && --it.value() <= 0) {
        m_open.erase(it);
    }
}

} // namespace DNotifier::Transport
