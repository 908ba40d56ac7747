#include "channel.h"

namespace DNotifier::Broker {

bool Channel::addMember(ConnectionId id, const PresenceMember &member)
{
    m_subscribers.insert(id);
    m_memberOf.insert(id, member.userId);
    auto it = m_members.find(member.userId);
    if (it != m_members.end()) {
        ++it->connections;
        return false;
    }
    m_members.insert(member.userId, Member{member.userInfo, 1});
    return true;
}

std::optional<PresenceMember> Channel::remove(ConnectionId id)
{
    m_subscribers.remove(id);
    const auto memberIt = m_memberOf.find(id);
    if (memberIt == m_memberOf.end()) {
        return std::nullopt;
    }
    const QString userId = *memberIt;
    m_memberOf.erase(memberIt);

    auto it = m_members.find(userId);
    if (it == m_members.end() || --it->connections > 0) {
        return std::nullopt;
    }
    PresenceMember removed{userId, it->userInfo};
    m_members.erase(it);
    return removed;
}

} // namespace DNotifier::Broker
