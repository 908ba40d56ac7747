#pragma once

// The messages nodes exchange over peer links, and their encoding: one CBOR map per frame
// with the message type under "t". Decoding checks every field's type and refuses what it
// does not know, since the bytes come from the network. Pure functions, fuzzed.

#include <common/result.h>
#include <node/apps/managedapps.h>
#include <node/broker/types.h>
#include <node/delivery/peerforwarder.h>

#include <QByteArray>
#include <QList>
#include <QString>

#include <variant>

namespace DNotifier::Cluster {

inline constexpr int PeerProtocolVersion = 1;

// Incarnations above this are refused, so that refuting a rumour (incarnation + 1) always
// stays encodable.
inline constexpr quint64 MaxIncarnation = quint64(1) << 62;

// A membership update lists at most this many members, and a node keeps at most this many.
inline constexpr qsizetype MaxMembers = 1024;

enum class MemberState {
    Alive = 0,
    Suspect = 1,
    Dead = 2,
    // Said goodbye: gone like a dead member, but nobody waits to be sure.
    Left = 3,
};

struct MemberRecord
{
    Broker::NodeId id;
    QString name;
    // "host:port" of its peer listener.
    QString address;
    QString region;
    quint64 incarnation = 0;
    MemberState state = MemberState::Alive;
    // When the node's process started (ms since the epoch): the oldest live node of a region
    // sequences its history channels, so a node that restarts does not take that role back.
    qint64 startedMs = 0;

    friend bool operator==(const MemberRecord &, const MemberRecord &) = default;
};

// Dialer to acceptor, first: who is calling and a fresh nonce. A joiner that holds only a
// join key names the key's expiry, and both sides prove knowledge of that key instead.
struct Hello
{
    int version = PeerProtocolVersion;
    QString clusterId;
    Broker::NodeId node;
    QByteArray nonce;
    qint64 joinExpiresAt = 0;
};

// Acceptor to dialer: the acceptor proves it holds the key before the dialer reveals anything.
struct Challenge
{
    Broker::NodeId node;
    QByteArray nonce;
    QByteArray proof;
};

// Dialer to acceptor: the dialer's proof and who it is.
struct Proof
{
    QByteArray proof;
    MemberRecord self;
};

// Acceptor to dialer: the link is up.
struct Welcome
{
    MemberRecord self;
};

struct Refused
{
    QString reason;
};

// Membership changes and full views: the receiver keeps whichever record is newer.
struct MembersUpdate
{
    QList<MemberRecord> members;
};

struct Ping
{
    quint64 sequence = 0;
};

struct Ack
{
    quint64 sequence = 0;
};

// Asks the receiver to probe `target` and answer with an Ack carrying `sequence`.
struct PingRequest
{
    quint64 sequence = 0;
    Broker::NodeId target;
};

struct InterestEntry
{
    QString appId;
    QString channel;
    // The sender's subscribers on the channel; 0 withdraws its interest.
    int count = 0;

    friend bool operator==(const InterestEntry &, const InterestEntry &) = default;
};

// One node's share of the cluster state. `origin` is the node whose share it is: the sender
// itself, or a node of another region whose update a gateway passes on. `version` rises with
// every update the origin makes, so a receiver drops an update older than one it applied,
// whichever path each took. A full update replaces everything the origin held.
template<typename Entry>
struct ShareUpdate
{
    Broker::NodeId origin;
    quint64 version = 0;
    bool full = false;
    QList<Entry> entries;
};

using InterestUpdate = ShareUpdate<InterestEntry>;

struct PresenceEntry
{
    QString appId;
    QString channel;
    Broker::PresenceMember member;
    // False withdraws the member.
    bool present = true;
};

using PresenceUpdate = ShareUpdate<PresenceEntry>;

// A publication on its way from the node that accepted it. Inside a region it is sent once to
// each interested node; toward another region it goes once to this region's gateway, with the
// regions to pass it on to in `relayTo`, and once over the gateway link with `crossed` set,
// after which the receiving gateway hands it to the interested nodes of its own region.
//
// On a sequenced channel (history or cache) it first goes to the region's sequencer, which
// sends it to every node of the region with `sequenced` set, its offset and the stream's
// epoch; `origin` and `originSequence` let the accepting node match that copy to the one it
// sent, and `except` names the accepting node's connection that must not get it back.
struct ClientPresenceEntry
{
    QString appId;
    QString channel;
    // user, client id, connection info and channel info of a Centrifuge client.
    Broker::PublisherInfo client;
    // False withdraws the client.
    bool present = true;
};

// Centrifuge clients with presence, per client, versioned like the other shares.
using ClientPresenceUpdate = ShareUpdate<ClientPresenceEntry>;

struct RemotePublication
{
    // A copy on its way to the nodes with subscribers, with nothing else set.
    static RemotePublication of(QString appId, Broker::Publication publication)
    {
        RemotePublication plain;
        plain.appId = std::move(appId);
        plain.publication = std::move(publication);
        return plain;
    }

    QString appId;
    Broker::Publication publication;
    QList<QString> relayTo;
    bool crossed = false;
    bool sequenced = false;
    QString epoch;
    Broker::NodeId origin;
    quint64 originSequence = 0;
    Broker::ConnectionId except = 0;
};

// A command about a user (Delivery::UserCommand) on its way to every node: sent by the node
// that received it to its links, passed on by gateways between their region and the others.
struct UserCommandMessage
{
    Delivery::UserCommand command;
};

// Once a second, what a node tells the others about itself for the admin channel: its figures
// as a JSON document that only the admin layer reads. Passed on like a share update.
struct NodeStatusMessage
{
    Broker::NodeId origin;
    quint64 version = 0;
    QByteArray status;
};

// A request of the admin channel for another node (list its connections, kick one), or the
// answer: routed hop by hop toward `to` over region links and gateways. The body is a JSON
// document that only the admin layer reads.
struct AdminRelay
{
    Broker::NodeId from;
    Broker::NodeId to;
    quint64 id = 0;
    bool answer = false;
    QByteArray body;
    // Links crossed so far; a relay that would pass MaxAdminRelayHops is dropped.
    int hops = 0;
};

inline constexpr int MaxAdminRelayHops = 3;

// Every app credential change operators made (Apps::ManagedApp), sent whole: on link-up, and
// by each node whose list it changed.
struct ManagedAppsMessage
{
    QList<Apps::ManagedApp> apps;
};

inline constexpr qsizetype MaxManagedApps = 10'000;

using PeerMessage = std::variant<Hello,
                                 Challenge,
                                 Proof,
                                 Welcome,
                                 Refused,
                                 MembersUpdate,
                                 Ping,
                                 Ack,
                                 PingRequest,
                                 InterestUpdate,
                                 PresenceUpdate,
                                 ClientPresenceUpdate,
                                 RemotePublication,
                                 UserCommandMessage,
                                 NodeStatusMessage,
                                 AdminRelay,
                                 ManagedAppsMessage>;

QByteArray encodePeerMessage(const PeerMessage &message);
Result<PeerMessage> decodePeerMessage(const QByteArray &payload);

} // namespace DNotifier::Cluster
