#pragma once

// This node's part in the cluster: the peer listener, authenticated links, membership with
// SWIM failure detection, and the exchange of each node's share of the state (channels it has
// subscribers for, presence members its connections joined as).
//
// Topology: the nodes of a region form a full mesh; each region's gateway (its live member
// with the smallest id, which every node computes alike) links to every other region's
// gateway. Publications: the accepting node sends one copy to each interested node of its
// region and, per other region with interest, one copy that crosses the border once: over
// its own gateway link if it is the gateway, else through its gateway. The receiving gateway
// hands it to the interested nodes of its region. Nothing received from inside a region is
// sent on inside it and nothing received over a gateway link goes over another, so there
// are no loops and no duplicates by construction. Shares travel the same way: routes carry
// them one hop, gateways pass them between their region and the other gateways. Lives on the
// broker thread.

#include "membertable.h"
#include "peerlink.h"
#include "peertls.h"
#include "prober.h"

#include <common/result.h>
#include <node/broker/broker.h>
#include <node/config/settings.h>
#include <node/delivery/fanout.h>

#include <QHash>
#include <QMap>
#include <QSet>
#include <QTcpServer>
#include <QTimer>

#include <memory>
#include <optional>

namespace DNotifier::Observability {
struct NodeMetrics;
}

namespace DNotifier::Cluster {

struct SequencedPublication
{
    Broker::Publication publication;
    // The channel's history stream epoch, empty when it keeps no history.
    QString epoch;
};

// Where the cluster hands what peers send to the protocol adapters.
class RemoteEvents
{
public:
    virtual ~RemoteEvents() = default;
    // Whether the app's channel is sequenced (see Delivery::PeerForwarder).
    virtual bool isSequenced(const QString &appId, const QString &channel) const = 0;
    // A publication on a channel that is not sequenced, for this node's subscribers.
    virtual void remotePublication(const QString &appId,
                                   const Broker::Publication &publication) = 0;
    // On the sequencer: stores and delivers the publication (not to `except`); nullopt when
    // this node does not know the app.
    virtual std::optional<SequencedPublication> sequence(const QString &appId,
                                                         const Broker::Publication &publication,
                                                         Broker::ConnectionId except) = 0;
    // A publication the sequencer ordered, for this node's history and subscribers.
    virtual void replica(const QString &appId,
                         const Broker::Publication &publication,
                         const QString &epoch,
                         Broker::ConnectionId except) = 0;
    // A command about a user that another node received; carried out here only.
    virtual void userCommand(const Delivery::UserCommand &command) = 0;
    // A user entered or left a presence channel's cluster-wide roster through another node.
    virtual void remoteMemberAdded(const Broker::MemberChange &change) = 0;
    virtual void remoteMemberRemoved(const Broker::MemberChange &change) = 0;
    // A Centrifuge client with presence joined or left a channel on another node.
    virtual void remoteClientJoined(const Broker::ClientChange &change) = 0;
    virtual void remoteClientLeft(const Broker::ClientChange &change) = 0;
    // A node left or failed, taking with it members and the last subscribers of channels.
    // Its own webhooks for them can no longer be sent, so exactly one node, the cluster's
    // oldest live member, is told to send them.
    virtual void departedMemberRemoved(const Broker::MemberChange &change) = 0;
    virtual void departedChannelVacated(const QString &appId, const QString &channel) = 0;
};

inline constexpr QLatin1StringView PeersFileName("peers.json");
// Addresses kept in the peers file.
inline constexpr qsizetype MaxSavedPeers = 16;

struct ClusterIdentityView
{
    QString clusterId;
    QByteArray secret;
};

class ClusterNode final : public QObject,
                          public Broker::LocalShareObserver,
                          public Delivery::PeerForwarder,
                          private ProbeSender
{
    Q_OBJECT

public:
    // `peersFile` is where the addresses of the live members are kept, for dialling them when
    // the node starts again; empty keeps none.
    // `tls`, when set, encrypts every peer link (see peertls.h).
    ClusterNode(const Config::ClusterSettings &settings,
                ClusterIdentityView identity,
                QString peersFile,
                std::optional<PeerTls> tls,
                Broker::Broker &broker,
                RemoteEvents *events,
                Observability::NodeMetrics *metrics,
                QObject *parent = nullptr);
    ~ClusterNode() override;

    Result<void> start();

    quint16 peerPort() const { return m_listener->serverPort(); }

    const Broker::NodeId &nodeId() const { return m_table.self().id; }

    // Announces a clean departure to every peer and stops probing.
    void leave();

    // What the admin channel shows of the cluster.
    struct PeerStatus
    {
        QByteArray status;
        qint64 receivedMs = 0;
    };

    struct LinkView
    {
        Broker::NodeId peer;
        // The last direct probe's round trip; negative before the first.
        qint64 roundTripUs = -1;
    };

    QList<MemberRecord> members() const { return m_table.all(); }

    bool isGatewayNode(const Broker::NodeId &id) const { return gatewayOf(regionOf(id)) == id; }

    QList<LinkView> links() const;

    // The newest status each other node sent (see NodeStatusMessage).
    QHash<Broker::NodeId, PeerStatus> peerStatuses() const { return m_statuses; }

    // Sends this node's status to every node of the cluster.
    void publishStatus(const QByteArray &status);
    // Sends an admin request or answer toward another node, through the gateways when it is
    // in another region; false when no route leads there now.
    bool sendAdmin(const Broker::NodeId &to, quint64 id, bool answer, const QByteArray &body);
    // Sends the managed app list to every linked node now and to each new link later.
    void announceApps(const QList<Apps::ManagedApp> &apps);

Q_SIGNALS:
    // A linked node's managed app list.
    void appsReceived(const QList<DNotifier::Apps::ManagedApp> &apps);
    // An admin request or answer addressed to this node.
    void adminReceived(const DNotifier::Broker::NodeId &from,
                       quint64 id,
                       bool answer,
                       const QByteArray &body);

public:
    void localSubscriptionsChanged(const QString &appId,
                                   const QString &channel,
                                   int count) override;
    void localMemberAdded(const QString &appId,
                          const QString &channel,
                          const Broker::PresenceMember &member) override;
    void localMemberRemoved(const QString &appId,
                            const QString &channel,
                            const QString &userId) override;
    bool sequencesHere() const override;
    void sendToSequencer(const QString &appId,
                         const Broker::Publication &publication,
                         Broker::ConnectionId except) override;
    void forward(const QString &appId,
                 const Broker::Publication &publication,
                 bool sequenced,
                 const QString &epoch) override;
    void forwardUserCommand(const Delivery::UserCommand &command) override;
    void announceClient(const QString &appId,
                        const QString &channel,
                        const Broker::PublisherInfo &client,
                        bool present) override;

private:
    bool sendTo(const Broker::NodeId &member, const PeerMessage &message) override;

    LinkCredentials credentials() const;
    void watchLink(PeerLink *link);
    void onLinkUp(PeerLink *link);
    void onLinkClosed(PeerLink *link, const QString &reason);
    void onMessage(PeerLink *link, const PeerMessage &message);
    void onPublication(const RemotePublication &publication);
    void onUnsequenced(const RemotePublication &publication);
    void routeByInterest(const QString &appId, const Broker::Publication &publication);
    void relayAcross(const RemotePublication &publication);
    // Sends a framed publication and counts it; false when there is no link to the member.
    bool sendPublication(const Broker::NodeId &to, const QByteArray &frame);
    void sendAcross(const QString &region, const QByteArray &crossing);
    static QByteArray crossingFrame(const QString &appId, const Broker::Publication &publication);
    // The regions other than this node's that the interested nodes are in.
    QSet<QString> otherRegionsOf(const QList<Broker::NodeId> &interested) const;
    void sendAwaiting();
    // Sends the sequenced publication to every other node of the region and, unless it
    // already crossed a border, once toward each other region with subscribers.
    void replicate(const RemotePublication &sequenced, bool cross);
    void sequenceAwaiting(const RemotePublication &awaiting);
    // Follows a change of the region's sequencer: hands it what still waits for an order, and
    // on taking over from a failed one starts every history stream anew.
    void checkSequencer();
    void applyMembers(const QList<MemberRecord> &records);
    void onMemberChanged(const MemberRecord &record);
    // Whether a share update of `origin` is news; records it as applied when it is.
    bool acceptShare(QHash<Broker::NodeId, quint64> &applied,
                     const Broker::NodeId &origin,
                     quint64 version);
    void applyInterest(const InterestUpdate &update);
    void applyPresence(const PresenceUpdate &update);
    void applyClientPresence(const ClientPresenceUpdate &update);
    // Passes an applied share update on: from a gateway link into the region, or from the
    // region's own nodes out over the gateway links.
    void relayShare(PeerLink *from, const Broker::NodeId &origin, const PeerMessage &update);
    void dropShare(const Broker::NodeId &member);
    void sendShare(PeerLink *link);
    void sendShareOf(PeerLink *link, const Broker::NodeId &origin);
    void broadcast(const PeerMessage &message);
    // The link a message for `to` takes: straight to it, else toward its region's gateway
    // (from a gateway) or this region's gateway (from any other node).
    PeerLink *routeTo(const Broker::NodeId &to) const;
    void sendToRegion(const PeerMessage &message);
    void sendToGateways(const PeerMessage &message);

    QString regionOf(const Broker::NodeId &id) const;
    bool isGatewayLink(const PeerLink *link) const;
    // The region's live member with the smallest id, or empty when none is known.
    Broker::NodeId gatewayOf(const QString &region) const;

    bool isGateway() const { return gatewayOf(m_table.self().region) == m_table.self().id; }

    // The region's oldest live member, which orders the publications of sequenced channels.
    Broker::NodeId sequencerOf(const QString &region) const;
    // Whether this node ever had an established link with the member, which proves the member
    // exists: roles (sequencer, gateway) go only to proven members, so a forged member record
    // cannot take one.
    bool isProven(const Broker::NodeId &id) const;
    bool mayCarryShareOf(const PeerLink *link, const Broker::NodeId &origin) const;
    void afterMembershipChange();
    void savePeers();

    // Whether this node keeps a link to the member: same region, or both are gateways.
    bool wantsLink(const MemberRecord &member) const;
    void flushCounts();
    void maintainLinks();
    void dial(const QString &address);
    void updateGauges();

    Config::ClusterSettings m_settings;
    ClusterIdentityView m_identity;
    QString m_peersFile;
    QList<QString> m_savedPeers;
    std::optional<PeerTls> m_tls;
    Broker::Broker &m_broker;
    RemoteEvents *m_events;
    Observability::NodeMetrics *m_metrics;
    MemberTable m_table;
    Prober m_prober;
    // A QSslServer when links use TLS.
    std::unique_ptr<QTcpServer> m_listener;
    QTimer m_maintenance;
    QTimer m_countFlush;

    // Established links by the member at the other end; one per member.
    QHash<Broker::NodeId, PeerLink *> m_links;
    // When each established link came up; links no longer wanted are closed after a grace,
    // so that a seed in another region can pass on the membership before it goes.
    QHash<Broker::NodeId, qint64> m_linkUpMs;
    // Accepted links still in the handshake.
    QSet<PeerLink *> m_unproven;
    // Links dialled and not yet established, by address.
    QHash<QString, PeerLink *> m_dialing;
    QHash<QString, qint64> m_nextDialMs;
    QSet<Broker::NodeId> m_everLinked;
    // When each member was last seen to go, for redialling after a partition heals.
    QHash<Broker::NodeId, qint64> m_goneSinceMs;

    // Versions of this node's share updates and the newest applied from each peer.
    quint64 m_shareVersion = 0;
    quint64 m_statusVersion = 0;
    QHash<Broker::NodeId, quint64> m_interestApplied;
    QHash<Broker::NodeId, quint64> m_presenceApplied;
    QHash<Broker::NodeId, quint64> m_clientsApplied;
    QHash<Broker::NodeId, quint64> m_statusApplied;
    QHash<Broker::NodeId, PeerStatus> m_statuses;
    QHash<Broker::NodeId, qint64> m_roundTripUs;
    QList<Apps::ManagedApp> m_managedApps;
    // This node's Centrifuge clients with presence, keyed "app\nchannel\nclient", for the
    // full share a peer gets when its link comes up.
    QHash<QString, ClientPresenceEntry> m_localClients;
    // Subscriber counts last announced, keyed "app\nchannel", and those changed since.
    QHash<QString, int> m_announcedCounts;
    QSet<QString> m_dirtyCounts;
    bool m_left = false;
    // Publications this node sent to the sequencer whose ordered copy has not come back yet,
    // by their sequence number: sent again if the sequencer changes first.
    QMap<quint64, RemotePublication> m_awaitingOrder;
    quint64 m_originSequence = 0;
    // The sequencer the waiting publications were last sent to; empty when they still have to
    // be sent (no link to it yet, or the link broke).
    Broker::NodeId m_awaitingSentTo;
    Broker::NodeId m_sequencer;
    // On the sequencer: the last sequence number ordered from each node, so that what a node
    // sends again after a broken link is not ordered twice.
    QHash<Broker::NodeId, quint64> m_orderedFrom;
};

} // namespace DNotifier::Cluster
