#include "subscriberset.h"

namespace DNotifier::Broker {

void SubscriberSet::insert(ConnectionId id)
{
    if (!m_hashed.isEmpty()) {
        m_hashed.insert(id);
        return;
    }
    if (m_listed.contains(id)) {
        return;
    }
    if (m_listed.size() < MaxListed) {
        m_listed.append(id);
        return;
    }
    m_hashed.reserve(2 * MaxListed);
    for (ConnectionId listed : std::as_const(m_listed)) {
        m_hashed.insert(listed);
    }
    m_hashed.insert(id);
    m_listed = {};
}

void SubscriberSet::remove(ConnectionId id)
{
    if (m_hashed.isEmpty()) {
        m_listed.removeOne(id);
        if (m_listed.isEmpty()) {
            m_listed = {};
        }
        return;
    }
    m_hashed.remove(id);
    if (m_hashed.isEmpty()) {
        m_hashed = {};
    }
}

} // namespace DNotifier::Broker
