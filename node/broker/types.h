#pragma once

// Value types the broker exchanges with the protocol adapters. The broker knows channels,
// connections and users; it never sees sockets or JSON (payloads are opaque bytes).

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace DNotifier::Broker {

// Unique within one node process; the adapters derive the wire-visible ids from it.
using ConnectionId = quint64;

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
    // The channel went from no subscribers to one.
    bool occupied = false;
    // The user had no other connection in this presence channel.
    bool memberAdded = false;
    int subscriptionCount = 0;
};

struct UnsubscribeOutcome
{
    QString channel;
    bool wasSubscribed = false;
    bool vacated = false;
    // Set when the user's last connection left this presence channel.
    std::optional<PresenceMember> memberRemoved;
    int subscriptionCount = 0;
};

struct ChannelSummary
{
    QString name;
    int subscriptionCount = 0;
    int userCount = 0;
};

} // namespace DNotifier::Broker
