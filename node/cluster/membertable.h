#pragma once

// The membership view of one node: every member it has heard of, with the state and
// incarnation the SWIM rules keep. A record about a member replaces the stored one only when
// it is newer: a higher incarnation, or at the same incarnation a graver state (alive <
// suspect < dead, left). Rumours about this node itself that it is suspect or dead are
// refuted by raising its own incarnation. It holds at most MaxMembers members. Pure state,
// no timers: the prober and the cluster drive it.

#include "peermessages.h"

#include <QHash>

#include <optional>

namespace DNotifier::Cluster {

bool isLive(MemberState state);

class MemberTable final
{
public:
    explicit MemberTable(MemberRecord self);

    const MemberRecord &self() const { return m_self; }

    std::optional<MemberRecord> find(const Broker::NodeId &id) const;
    // Every record including this node's own.
    QList<MemberRecord> all() const;
    // Other members that are alive or suspect.
    QList<MemberRecord> live() const;

    // Applies a record heard from a peer. Returns the record as stored when it changed
    // something, including this node's own record after a refutation, so the caller can
    // spread it and react; nullopt when the record was old news.
    std::optional<MemberRecord> apply(const MemberRecord &heard);
    // This node's own verdicts on another member, at the incarnation it is known by.
    std::optional<MemberRecord> suspect(const Broker::NodeId &id);
    std::optional<MemberRecord> declareDead(const Broker::NodeId &id);
    // Drops a member that is dead or left, once nobody needs its record any more.
    void forget(const Broker::NodeId &id);
    // Marks this node as leaving; the record to announce.
    MemberRecord leave();

private:
    std::optional<MemberRecord> refute(const MemberRecord &heard);

    MemberRecord m_self;
    QHash<Broker::NodeId, MemberRecord> m_members;
};

} // namespace DNotifier::Cluster
