#include "prober.h"

#include <QRandomGenerator>

#include <algorithm>

namespace DNotifier::Cluster {

Prober::Prober(MemberTable &table, ProbeTimings timings, ProbeSender *sender, QObject *parent)
    : QObject(parent)
    , m_table(table)
    , m_timings(timings)
    , m_sender(sender)
{
    m_tick.setInterval(m_timings.intervalMs);
    connect(&m_tick, &QTimer::timeout, this, &Prober::probeNext);
}

void Prober::start()
{
    m_tick.start();
}

void Prober::stop()
{
    m_tick.stop();
    m_probes.clear();
    m_relays.clear();
    m_suspicions.clear();
}

void Prober::probeNext()
{
    // Every member is probed once per round, in an order shuffled anew each round, which
    // bounds the time to the first probe of a failed member by one round.
    while (!m_round.isEmpty()) {
        const Broker::NodeId next = m_round.takeFirst();
        const auto member = m_table.find(next);
        if (member && member->state == MemberState::Alive && m_probeable(*member)) {
            probe(next);
            return;
        }
    }
    for (const MemberRecord &member : m_table.live()) {
        if (member.state == MemberState::Alive && m_probeable(member)) {
            m_round.append(member.id);
        }
    }
    std::shuffle(m_round.begin(), m_round.end(), *QRandomGenerator::global());
    if (!m_round.isEmpty()) {
        probe(m_round.takeFirst());
    }
}

void Prober::probeNow(const Broker::NodeId &member)
{
    for (const Probe &running : std::as_const(m_probes)) {
        if (running.target == member) {
            return;
        }
    }
    const auto record = m_table.find(member);
    if (record && record->state == MemberState::Alive && m_probeable(*record)) {
        probe(member);
    }
}

void Prober::probe(const Broker::NodeId &target)
{
    const quint64 sequence = ++m_sequence;
    Probe &started = m_probes[sequence];
    started.target = target;
    started.sent.start();
    const bool sent = m_sender->sendTo(target, Ping{sequence});
    // Without a link there is nothing to wait for: ask the others at once.
    QTimer::singleShot(sent ? m_timings.timeoutMs : 0, this,
                       [this, sequence] { probeIndirectly(sequence); });
    QTimer::singleShot(m_timings.intervalMs, this, [this, sequence] { conclude(sequence); });
}

void Prober::probeIndirectly(quint64 sequence)
{
    const auto probe = m_probes.find(sequence);
    if (probe == m_probes.end() || probe->acknowledged) {
        return;
    }
    QList<MemberRecord> helpers = m_table.live();
    std::shuffle(helpers.begin(), helpers.end(), *QRandomGenerator::global());
    int asked = 0;
    for (const MemberRecord &helper : std::as_const(helpers)) {
        if (asked >= m_timings.indirectProbes) {
            break;
        }
        if (helper.id != probe->target && helper.state == MemberState::Alive && m_probeable(helper)
            && m_sender->sendTo(helper.id, PingRequest{sequence, probe->target})) {
            probe->helpers.insert(helper.id);
            ++asked;
        }
    }
}

void Prober::conclude(quint64 sequence)
{
    const Probe probe = m_probes.take(sequence);
    if (probe.target.isEmpty() || probe.acknowledged) {
        return;
    }
    if (const auto suspected = m_table.suspect(probe.target)) {
        watch(*suspected);
        Q_EMIT verdict(*suspected);
    }
}

void Prober::onAck(const Broker::NodeId &from, quint64 sequence)
{
    auto probe = m_probes.find(sequence);
    if (probe != m_probes.end()) {
        if (from == probe->target && !probe->acknowledged) {
            Q_EMIT roundTrip(from, probe->sent.nsecsElapsed() / 1000);
        }
        if (from == probe->target || probe->helpers.contains(from)) {
            probe->acknowledged = true;
        }
        return;
    }
    const auto relay = m_relays.constFind(sequence);
    if (relay != m_relays.cend() && relay->target == from) {
        m_sender->sendTo(relay->requester, Ack{relay->sequence});
        m_relays.erase(relay);
    }
}

void Prober::onPingRequest(const Broker::NodeId &from,
                           quint64 sequence,
                           const Broker::NodeId &target)
{
    const quint64 own = ++m_sequence;
    if (!m_sender->sendTo(target, Ping{own})) {
        return;
    }
    m_relays.insert(own, Relay{from, target, sequence});
    QTimer::singleShot(m_timings.intervalMs, this, [this, own] { m_relays.remove(own); });
}

void Prober::watch(const MemberRecord &record)
{
    if (record.state != MemberState::Suspect) {
        m_suspicions.remove(record.id);
        return;
    }
    const auto running = m_suspicions.constFind(record.id);
    if (running != m_suspicions.cend() && *running == record.incarnation) {
        return;
    }
    m_suspicions.insert(record.id, record.incarnation);
    QTimer::singleShot(m_timings.suspicionMs, this,
                       [this, id = record.id, incarnation = record.incarnation] {
                           const auto running = m_suspicions.constFind(id);
                           if (running == m_suspicions.cend() || *running != incarnation) {
                               return;
                           }
                           m_suspicions.remove(id);
                           const auto current = m_table.find(id);
                           if (!current || current->state != MemberState::Suspect
                               || current->incarnation != incarnation) {
                               return;
                           }
                           if (const auto dead = m_table.declareDead(id)) {
                               Q_EMIT verdict(*dead);
                           }
                       });
}

} // namespace DNotifier::Cluster
