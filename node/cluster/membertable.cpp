#include "membertable.h"

namespace DNotifier::Cluster {

namespace {

// Dead and left are both final for an incarnation; neither outranks the other.
int gravity(MemberState state)
{
    switch (state) {
    case MemberState::Alive:
        return 0;
    case MemberState::Suspect:
        return 1;
    case MemberState::Dead:
    case MemberState::Left:
        return 2;
    }
    return 0;
}

bool supersedes(const MemberRecord &heard, const MemberRecord &known)
{
    if (heard.incarnation != known.incarnation) {
        return heard.incarnation > known.incarnation;
    }
    return gravity(heard.state) > gravity(known.state);
}

} // namespace

bool isLive(MemberState state)
{
    return state == MemberState::Alive || state == MemberState::Suspect;
}

MemberTable::MemberTable(MemberRecord self)
    : m_self(std::move(self))
{
    m_self.state = MemberState::Alive;
}

std::optional<MemberRecord> MemberTable::find(const Broker::NodeId &id) const
{
    if (id == m_self.id) {
        return m_self;
    }
    const auto it = m_members.constFind(id);
    return it == m_members.cend() ? std::nullopt : std::optional<MemberRecord>(*it);
}

QList<MemberRecord> MemberTable::all() const
{
    QList<MemberRecord> result = m_members.values();
    result.append(m_self);
    return result;
}

QList<MemberRecord> MemberTable::live() const
{
    QList<MemberRecord> result;
    for (const MemberRecord &member : m_members) {
        if (isLive(member.state)) {
            result.append(member);
        }
    }
    return result;
}

std::optional<MemberRecord> MemberTable::apply(const MemberRecord &heard)
{
    if (heard.id == m_self.id) {
        return refute(heard);
    }
    auto it = m_members.find(heard.id);
    if (it == m_members.end()) {
        // A member first heard of as gone is of no use to anyone here.
        if (!isLive(heard.state) || m_members.size() >= MaxMembers) {
            return std::nullopt;
        }
        return *m_members.insert(heard.id, heard);
    }
    // A member can refute a rumour only by going above its incarnation, which a rumour at the
    // largest one would rule out for good.
    if (!supersedes(heard, *it)
        || (heard.state != MemberState::Alive && heard.incarnation >= MaxIncarnation)) {
        return std::nullopt;
    }
    *it = heard;
    return heard;
}

std::optional<MemberRecord> MemberTable::refute(const MemberRecord &heard)
{
    if (m_self.state == MemberState::Left) {
        return std::nullopt;
    }
    if (heard.incarnation >= MaxIncarnation) {
        return std::nullopt;
    }
    const bool grave = heard.state != MemberState::Alive && heard.incarnation >= m_self.incarnation;
    // An alive record above our own incarnation comes from our own refutations echoing back
    // late; stay above it so the next rumour is refuted too.
    const bool ahead = heard.incarnation > m_self.incarnation;
    if (!grave && !ahead) {
        return std::nullopt;
    }
    m_self.incarnation = heard.incarnation + 1;
    return m_self;
}

std::optional<MemberRecord> MemberTable::suspect(const Broker::NodeId &id)
{
    auto it = m_members.find(id);
    if (it == m_members.end() || it->state != MemberState::Alive) {
        return std::nullopt;
    }
    it->state = MemberState::Suspect;
    return *it;
}

std::optional<MemberRecord> MemberTable::declareDead(const Broker::NodeId &id)
{
    auto it = m_members.find(id);
    if (it == m_members.end() || !isLive(it->state)) {
        return std::nullopt;
    }
    it->state = MemberState::Dead;
    return *it;
}

void MemberTable::forget(const Broker::NodeId &id)
{
    const auto it = m_members.constFind(id);
    if (it != m_members.cend() && !isLive(it->state)) {
        m_members.erase(it);
    }
}

MemberRecord MemberTable::leave()
{
    ++m_self.incarnation;
    m_self.state = MemberState::Left;
    return m_self;
}

} // namespace DNotifier::Cluster
