#pragma once

// Value types the broker exchanges with the protocol adapters. The broker knows channels,
// connections and users; it never sees sockets or JSON (payloads are opaque bytes).

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace DNotifier::Broker {

// Unique within one node process; the adapters derive the wire-visible ids from it. The low
// bits say which I/O thread owns the connection and which protocol it speaks, so routing a
// frame needs no lookup: see connectionId().
using ConnectionId = quint64;

// A node of the cluster: random per process start, so a restarted node is a new member and
// nothing a dead predecessor announced can be mistaken for its state.
using NodeId = QString;

struct PresenceMember
{
    QString userId;
    // The member's user_info as raw JSON bytes, relayed as received.
    QByteArray userInfo;
};

enum class Origin {
    Api,
    Client,
};

// Who published, as token-authenticated clients see it (Centrifuge ClientInfo).
struct PublisherInfo
{
    QString user;
    QString client;
    QByteArray connInfo;
    QByteArray chanInfo;
};

enum class Protocol {
    Pusher,
    Centrifuge,
};

constexpr ConnectionId connectionId(quint64 serial, Protocol protocol, int worker)
{
    return (serial << 9) | (quint64(protocol == Protocol::Centrifuge) << 8)
           | quint64(worker & 0xff);
}

constexpr int workerOf(ConnectionId id)
{
    return int(id & 0xff);
}

constexpr Protocol protocolOf(ConnectionId id)
{
    return (id & 0x100) != 0 ? Protocol::Centrifuge : Protocol::Pusher;
}

struct Publication
{
    QString channel;
    QString event;
    QByteArray data;
    // True when data is a JSON value to embed as it is (a client event's object), false
    // when it is an opaque string (every API publication).
    bool dataIsJson = false;
    Origin origin = Origin::Api;
    // The publishing member on presence channels (client events), else empty.
    QString userId;
    std::optional<PublisherInfo> publisher;
    // String attributes (Centrifuge tags).
    QList<QPair<QString, QString>> tags;
    // Position in the channel's history stream; 0 when the channel keeps none.
    quint64 offset = 0;
    qint64 createdMs = 0;
};

enum class SubscribeStatus {
    Subscribed,
    AlreadySubscribed,
    PresenceFull,
    UnknownConnection,
};

struct SubscribeOutcome
{
    SubscribeStatus status = SubscribeStatus::UnknownConnection;
    // The channel went from no subscribers to one, counting the peers' subscribers too.
    bool occupied = false;
    // The user had no other connection in this presence channel, here or on a peer.
    bool memberAdded = false;
    int subscriptionCount = 0;
};

struct UnsubscribeOutcome
{
    QString channel;
    bool wasSubscribed = false;
    // No subscriber is left on this node or, as far as the peers announced, on any other.
    bool vacated = false;
    // Set when the user's last connection in the cluster left this presence channel.
    std::optional<PresenceMember> memberRemoved;
    int subscriptionCount = 0;
};

// Cluster-wide figures: this node's subscribers and members plus what its peers announced.
struct ChannelSummary
{
    QString name;
    int subscriptionCount = 0;
    int userCount = 0;
    bool occupied = false;
};

// A Centrifuge client with presence that a peer holds in a channel.
struct ClientChange
{
    QString appId;
    QString channel;
    PublisherInfo client;
};

// A presence member that appeared in or left the cluster-wide roster of a channel.
struct MemberChange
{
    QString appId;
    QString channel;
    PresenceMember member;
};

} // namespace DNotifier::Broker
