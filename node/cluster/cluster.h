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
#include "prober.h"

#include <common/result.h>
#include <node/broker/broker.h>
#include <node/config/settings.h>
#include <node/delivery/fanout.h>

#include <QHash>
#include <QSet>
#include <QTcpServer>
#include <QTimer>

namespace DNotifier::Observability {
struct NodeMetrics;
}

namespace DNotifier::Cluster {

// Where the cluster hands what peers announce to the protocol adapters.
class RemoteEvents
{
public:
    virtual ~RemoteEvents() = default;
    virtual void remotePublication(const QString &appId,
                                   const Broker::Publication &publication) = 0;
    // A user entered or left a presence channel's cluster-wide roster through another node.
    virtual void remoteMemberAdded(const Broker::MemberChange &change) = 0;
    virtual void remoteMemberRemoved(const Broker::MemberChange &change) = 0;
};

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
    ClusterNode(const Config::ClusterSettings &settings,
                ClusterIdentityView identity,
                Broker::Broker &broker,
                RemoteEvents *events,
                Observability::NodeMetrics *metrics,
                QObject *parent = nullptr);
    ~ClusterNode() override;

    Result<void> start();

    quint16 peerPort() const { return m_listener.serverPort(); }

    const Broker::NodeId &nodeId() const { return m_table.self().id; }

    // Announces a clean departure to every peer and stops probing.
    void leave();

    void localSubscriptionsChanged(const QString &appId,
                                   const QString &channel,
                                   int count) override;
    void localMemberAdded(const QString &appId,
                          const QString &channel,
                          const Broker::PresenceMember &member) override;
    void localMemberRemoved(const QString &appId,
                            const QString &channel,
                            const QString &userId) override;
    void forward(const QString &appId, const Broker::Publication &publication) override;

private:
    bool sendTo(const Broker::NodeId &member, const PeerMessage &message) override;

    LinkCredentials credentials() const;
    void watchLink(PeerLink *link);
    void onLinkUp(PeerLink *link);
    void onLinkClosed(PeerLink *link, const QString &reason);
    void onMessage(PeerLink *link, const PeerMessage &message);
    void onPublication(const RemotePublication &publication);
    void applyMembers(const QList<MemberRecord> &records);
    void onMemberChanged(const MemberRecord &record);
    // Whether a share update of `origin` is news; records it as applied when it is.
    bool acceptShare(QHash<Broker::NodeId, quint64> &applied,
                     const Broker::NodeId &origin,
                     quint64 version);
    void applyInterest(const InterestUpdate &update);
    void applyPresence(const PresenceUpdate &update);
    // Passes an applied share update on: from a gateway link into the region, or from the
    // region's own nodes out over the gateway links.
    void relayShare(PeerLink *from, const Broker::NodeId &origin, const PeerMessage &update);
    void dropShare(const Broker::NodeId &member);
    void sendShare(PeerLink *link);
    void sendShareOf(PeerLink *link, const Broker::NodeId &origin);
    void broadcast(const PeerMessage &message);
    void sendToRegion(const PeerMessage &message);
    void sendToGateways(const PeerMessage &message);

    QString regionOf(const Broker::NodeId &id) const;
    bool isGatewayLink(const PeerLink *link) const;
    // The region's live member with the smallest id, or empty when none is known.
    Broker::NodeId gatewayOf(const QString &region) const;

    bool isGateway() const { return gatewayOf(m_table.self().region) == m_table.self().id; }

    // Whether this node keeps a link to the member: same region, or both are gateways.
    bool wantsLink(const MemberRecord &member) const;
    void flushCounts();
    void maintainLinks();
    void dial(const QString &address);
    void updateGauges();

    Config::ClusterSettings m_settings;
    ClusterIdentityView m_identity;
    Broker::Broker &m_broker;
    RemoteEvents *m_events;
    Observability::NodeMetrics *m_metrics;
    MemberTable m_table;
    Prober m_prober;
    QTcpServer m_listener;
    QTimer m_maintenance;
    QTimer m_countFlush;

    // Established links by the member at the other end; one per member.
    QHash<Broker::NodeId, PeerLink *> m_links;
    // When each established link came up; links no longer wanted are closed after a grace,
    // so that a seed in another region can pass on the membership before it goes.
    QHash<Broker::NodeId, qint64> m_linkUpMs;
    // Links dialled and not yet established, by address.
    QHash<QString, PeerLink *> m_dialing;
    QHash<QString, qint64> m_nextDialMs;
    // When each member was last seen to go, for redialling after a partition heals.
    QHash<Broker::NodeId, qint64> m_goneSinceMs;

    // Versions of this node's share updates and the newest applied from each peer.
    quint64 m_shareVersion = 0;
    QHash<Broker::NodeId, quint64> m_interestApplied;
    QHash<Broker::NodeId, quint64> m_presenceApplied;
    // Subscriber counts last announced, keyed "app\nchannel", and those changed since.
    QHash<QString, int> m_announcedCounts;
    QSet<QString> m_dirtyCounts;
    bool m_left = false;
};

} // namespace DNotifier::Cluster
