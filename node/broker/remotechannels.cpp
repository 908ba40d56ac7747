#include "remotechannels.h"

#include <limits>

namespace DNotifier::Broker {

void RemoteChannels::setSubscriptions(const NodeId &node, const QString &channel, int count)
{
    if (count > 0) {
        m_subscriptions[channel].insert(node, qMin(count, MaxRemoteSubscriptions));
        return;
    }
    auto it = m_subscriptions.find(channel);
    if (it == m_subscriptions.end()) {
        return;
    }
    it->remove(node);
    if (it->isEmpty()) {
        m_subscriptions.erase(it);
    }
}

int RemoteChannels::subscriptionCount(const QString &channel) const
{
    qint64 total = 0;
    for (int count : m_subscriptions.value(channel)) {
        total += count;
    }
    // Leaves room for this node's own subscribers in the same int.
    return int(qMin(total, qint64(std::numeric_limits<int>::max() / 2)));
}

QList<NodeId> RemoteChannels::interestedNodes(const QString &channel) const
{
    const auto it = m_subscriptions.constFind(channel);
    return it == m_subscriptions.cend() ? QList<NodeId>() : it->keys();
}

QList<QPair<QString, int>> RemoteChannels::subscriptionsOf(const NodeId &node) const
{
    QList<QPair<QString, int>> result;
    for (auto it = m_subscriptions.cbegin(); it != m_subscriptions.cend(); ++it) {
        const auto count = it->constFind(node);
        if (count != it->cend()) {
            result.append({it.key(), *count});
        }
    }
    return result;
}

bool RemoteChannels::addMember(const NodeId &node,
                               const QString &channel,
                               const PresenceMember &member)
{
    QHash<NodeId, QByteArray> &holders = m_members[channel][member.userId];
    const bool first = holders.isEmpty();
    holders.insert(node, member.userInfo);
    return first;
}

std::optional<PresenceMember> RemoteChannels::removeMember(const NodeId &node,
                                                           const QString &channel,
                                                           const QString &userId)
{
    auto users = m_members.find(channel);
    if (users == m_members.end()) {
        return std::nullopt;
    }
    auto holders = users->find(userId);
    if (holders == users->end()) {
        return std::nullopt;
    }
    const auto held = holders->constFind(node);
    if (held == holders->cend()) {
        return std::nullopt;
    }
    PresenceMember removed{userId, *held};
    holders->erase(held);
    if (!holders->isEmpty()) {
        return std::nullopt;
    }
    users->erase(holders);
    if (users->isEmpty()) {
        m_members.erase(users);
    }
    return removed;
}

bool RemoteChannels::hasMember(const QString &channel, const QString &userId) const
{
    const auto users = m_members.constFind(channel);
    return users != m_members.cend() && users->contains(userId);
}

QList<PresenceMember> RemoteChannels::members(const QString &channel) const
{
    QList<PresenceMember> result;
    const auto users = m_members.constFind(channel);
    if (users == m_members.cend()) {
        return result;
    }
    for (auto it = users->cbegin(); it != users->cend(); ++it) {
        result.append({it.key(), it->cbegin().value()});
    }
    return result;
}

QList<QPair<QString, PresenceMember>> RemoteChannels::membersOf(const NodeId &node) const
{
    QList<QPair<QString, PresenceMember>> result;
    for (auto users = m_members.cbegin(); users != m_members.cend(); ++users) {
        for (auto holders = users->cbegin(); holders != users->cend(); ++holders) {
            const auto held = holders->constFind(node);
            if (held != holders->cend()) {
                result.append({users.key(), PresenceMember{holders.key(), *held}});
            }
        }
    }
    return result;
}

QList<QPair<QString, PresenceMember>> RemoteChannels::removeNode(const NodeId &node)
{
    for (const auto &[channel, count] : subscriptionsOf(node)) {
        setSubscriptions(node, channel, 0);
    }
    QList<QPair<QString, PresenceMember>> gone;
    for (const auto &[channel, member] : membersOf(node)) {
        if (auto removed = removeMember(node, channel, member.userId)) {
            gone.append({channel, *removed});
        }
    }
    return gone;
}

} // namespace DNotifier::Broker
