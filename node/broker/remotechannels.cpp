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

bool RemoteChannels::addClient(const NodeId &node,
                               const QString &channel,
                               const PublisherInfo &client)
{
    QHash<QString, HeldClient> &held = m_clients[channel];
    const bool fresh = !held.contains(client.client);
    held.insert(client.client, HeldClient{node, client});
    return fresh;
}

std::optional<PublisherInfo> RemoteChannels::removeClient(const NodeId &node,
                                                          const QString &channel,
                                                          const QString &clientId)
{
    auto held = m_clients.find(channel);
    if (held == m_clients.end()) {
        return std::nullopt;
    }
    const auto client = held->constFind(clientId);
    // Only the node that holds a client can withdraw it.
    if (client == held->cend() || client->node != node) {
        return std::nullopt;
    }
    PublisherInfo removed = client->info;
    held->erase(client);
    if (held->isEmpty()) {
        m_clients.erase(held);
    }
    return removed;
}

QList<PublisherInfo> RemoteChannels::clients(const QString &channel) const
{
    QList<PublisherInfo> result;
    for (const HeldClient &held : m_clients.value(channel)) {
        result.append(held.info);
    }
    return result;
}

QList<QPair<QString, PublisherInfo>> RemoteChannels::clientsOf(const NodeId &node) const
{
    QList<QPair<QString, PublisherInfo>> result;
    for (auto channel = m_clients.cbegin(); channel != m_clients.cend(); ++channel) {
        for (const HeldClient &held : *channel) {
            if (held.node == node) {
                result.append({channel.key(), held.info});
            }
        }
    }
    return result;
}

RemoteChannels::Departure RemoteChannels::removeNode(const NodeId &node)
{
    for (const auto &[channel, count] : subscriptionsOf(node)) {
        setSubscriptions(node, channel, 0);
    }
    Departure departure;
    for (const auto &[channel, member] : membersOf(node)) {
        if (auto removed = removeMember(node, channel, member.userId)) {
            departure.members.append({channel, *removed});
        }
    }
    for (const auto &[channel, client] : clientsOf(node)) {
        if (auto removed = removeClient(node, channel, client.client)) {
            departure.clients.append({channel, *removed});
        }
    }
    return departure;
}

} // namespace DNotifier::Broker
