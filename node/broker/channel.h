#pragma once

// One channel of one app: its subscribers, its presence members and its cached publication.

#include "subscriberset.h"
#include "types.h"

#include <QHash>
#include <QSet>

namespace DNotifier::Broker {

class Channel final
{
public:
    struct Member
    {
        QByteArray userInfo;
        int connections = 0;
    };

    bool isEmpty() const { return m_subscribers.isEmpty(); }

    bool contains(ConnectionId id) const { return m_subscribers.contains(id); }

    int subscriptionCount() const { return int(m_subscribers.size()); }

    int userCount() const { return int(m_members.size()); }

    const SubscriberSet &subscribers() const { return m_subscribers; }

    const QHash<QString, Member> &members() const { return m_members; }

    QString memberOf(ConnectionId id) const { return m_memberOf.value(id); }

    void add(ConnectionId id) { m_subscribers.insert(id); }

    // Returns true when this is the user's first connection in the channel.
    bool addMember(ConnectionId id, const PresenceMember &member);

    // Removes the connection; returns the member when it was the user's last connection.
    std::optional<PresenceMember> remove(ConnectionId id);

    const std::optional<Publication> &cached() const { return m_cached; }

    void setCached(const Publication &publication) { m_cached = publication; }

    void clearCached() { m_cached.reset(); }

private:
    SubscriberSet m_subscribers;
    QHash<QString, Member> m_members;
    QHash<ConnectionId, QString> m_memberOf;
    std::optional<Publication> m_cached;
};

} // namespace DNotifier::Broker
