#pragma once

// The connections subscribed to one channel. Most channels have a handful of subscribers (a
// private channel per user is common), and a QSet allocates a few hundred bytes for its first
// member; so up to a few members live in a short list, searched in order, and the set takes
// over beyond that, for channels of thousands.

#include "types.h"

#include <QList>
#include <QSet>

namespace DNotifier::Broker {

class SubscriberSet final
{
public:
    bool isEmpty() const { return m_listed.isEmpty() && m_hashed.isEmpty(); }

    qsizetype size() const { return m_listed.size() + m_hashed.size(); }

    bool contains(ConnectionId id) const
    {
        return m_hashed.isEmpty() ? m_listed.contains(id) : m_hashed.contains(id);
    }

    void insert(ConnectionId id);

    void remove(ConnectionId id);

    // Calls `visit` with each subscriber, in no particular order.
    template<typename Visit>
    void forEach(Visit &&visit) const
    {
        for (ConnectionId id : m_listed) {
            visit(id);
        }
        for (ConnectionId id : m_hashed) {
            visit(id);
        }
    }

private:
    // Past this many, the list moves into the set (and stays there until the channel empties).
    static constexpr qsizetype MaxListed = 8;

    QList<ConnectionId> m_listed;
    QSet<ConnectionId> m_hashed;
};

} // namespace DNotifier::Broker
