#pragma once

// What the other nodes of the cluster hold for the channels of one app: how many subscribers
// each node has per channel and which presence members its connections joined as. Each node
// owns its own entries; this side only mirrors what the owners announced, so a dead node's
// share can be dropped whole.

#include "types.h"

#include <QHash>
#include <QList>

#include <optional>

namespace DNotifier::Broker {

inline constexpr int MaxRemoteSubscriptions = 1'000'000;

class RemoteChannels final
{
public:
    // A count of 0 removes the node's interest in the channel. Counts are capped at
    // MaxRemoteSubscriptions, as no node holds more connections, so sums cannot overflow.
    void setSubscriptions(const NodeId &node, const QString &channel, int count);
    int subscriptionCount(const QString &channel) const;
    QList<NodeId> interestedNodes(const QString &channel) const;

    QList<QString> channels() const { return m_subscriptions.keys(); }

    QList<QPair<QString, int>> subscriptionsOf(const NodeId &node) const;

    // Returns true when no node held the user in the channel before.
    bool addMember(const NodeId &node, const QString &channel, const PresenceMember &member);
    // Returns the member when no node holds the user in the channel any more.
    std::optional<PresenceMember> removeMember(const NodeId &node,
                                               const QString &channel,
                                               const QString &userId);
    bool hasMember(const QString &channel, const QString &userId) const;
    // One entry per user, with the info of one of the nodes that hold it.
    QList<PresenceMember> members(const QString &channel) const;
    QList<QPair<QString, PresenceMember>> membersOf(const NodeId &node) const;

    // Centrifuge clients with presence, one entry per client (PublisherInfo::client).
    // Returns true when the client was not known before.
    bool addClient(const NodeId &node, const QString &channel, const PublisherInfo &client);
    std::optional<PublisherInfo> removeClient(const NodeId &node,
                                              const QString &channel,
                                              const QString &clientId);
    QList<PublisherInfo> clients(const QString &channel) const;
    QList<QPair<QString, PublisherInfo>> clientsOf(const NodeId &node) const;

    struct Departure
    {
        // (channel, member) pairs no other node holds any more.
        QList<QPair<QString, PresenceMember>> members;
        QList<QPair<QString, PublisherInfo>> clients;
    };

    // Forgets everything the node announced.
    Departure removeNode(const NodeId &node);

    bool isEmpty() const
    {
        return m_subscriptions.isEmpty() && m_members.isEmpty() && m_clients.isEmpty();
    }

private:
    // channel -> node -> subscriber count
    QHash<QString, QHash<NodeId, int>> m_subscriptions;
    // channel -> user id -> node -> user info
    QHash<QString, QHash<QString, QHash<NodeId, QByteArray>>> m_members;

    struct HeldClient
    {
        NodeId node;
        PublisherInfo info;
    };

    // channel -> client id -> the client and the node that holds it
    QHash<QString, QHash<QString, HeldClient>> m_clients;
};

} // namespace DNotifier::Broker
