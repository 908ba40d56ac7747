#pragma once

// The SWIM failure detector. Every probe interval it pings the next member in a shuffled
// round; a member that does not answer within the probe timeout is pinged again through a
// few other members (indirect probes), which tells a dead member from a slow or cut-off
// link; one that stays silent to the end of the interval becomes suspect. A suspect that does
// not refute within the suspicion time is declared dead. Lives on the broker thread.

#include "membertable.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace DNotifier::Cluster {

struct ProbeTimings
{
    int intervalMs = 500;
    int timeoutMs = 250;
    int suspicionMs = 2000;
    int indirectProbes = 2;
};

// How the prober reaches other members: over their peer links, when they have one.
class ProbeSender
{
public:
    virtual ~ProbeSender() = default;
    // Returns false when there is no link to the member right now.
    virtual bool sendTo(const Broker::NodeId &member, const PeerMessage &message) = 0;
};

class Prober final : public QObject
{
    Q_OBJECT

public:
    Prober(MemberTable &table, ProbeTimings timings, ProbeSender *sender, QObject *parent);

    // Limits probing to the members this node keeps links to (its region and, for a gateway,
    // the other gateways); the others are watched by their own region.
    void setProbeable(std::function<bool(const MemberRecord &)> probeable)
    {
        m_probeable = std::move(probeable);
    }

    void start();
    void stop();

    // An Ack counts only from the member probed or from one asked to probe it.
    void onAck(const Broker::NodeId &from, quint64 sequence);
    void onPingRequest(const Broker::NodeId &from, quint64 sequence, const Broker::NodeId &target);
    // Probes the member now, out of turn: its link just broke.
    void probeNow(const Broker::NodeId &member);
    // Starts the suspicion clock for a member that became suspect, however this node heard.
    void watch(const MemberRecord &record);

Q_SIGNALS:
    // This node's own verdict on a member: suspect, or dead after the suspicion time.
    void verdict(const DNotifier::Cluster::MemberRecord &record);
    // A direct probe came back from the member after `microseconds`.
    void roundTrip(const DNotifier::Broker::NodeId &member, qint64 microseconds);

private:
    struct Probe
    {
        Broker::NodeId target;
        QSet<Broker::NodeId> helpers;
        bool acknowledged = false;
        // Started when the direct ping went out, for the link's round-trip time.
        QElapsedTimer sent;
    };

    struct Relay
    {
        Broker::NodeId requester;
        Broker::NodeId target;
        quint64 sequence = 0;
    };

    void probeNext();
    void probe(const Broker::NodeId &target);
    void probeIndirectly(quint64 sequence);
    void conclude(quint64 sequence);

    MemberTable &m_table;
    ProbeTimings m_timings;
    ProbeSender *m_sender;
    std::function<bool(const MemberRecord &)> m_probeable = [](const MemberRecord &) {
        return true;
    };
    QTimer m_tick;
    quint64 m_sequence = 0;
    QHash<quint64, Probe> m_probes;
    QHash<quint64, Relay> m_relays;
    QList<Broker::NodeId> m_round;
    // Suspicion clocks running, by member, at the incarnation they started for.
    QHash<Broker::NodeId, quint64> m_suspicions;
};

} // namespace DNotifier::Cluster
