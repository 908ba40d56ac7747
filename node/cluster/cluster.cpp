#include "cluster.h"

#include <common/crypto/digest.h>
#include <node/logging.h>
#include <node/observability/nodemetrics.h>

#include <QDateTime>
#include <QHostInfo>

namespace DNotifier::Cluster {

using namespace Qt::Literals::StringLiterals;

namespace {

// Counts between 0 and 1 change routing and go out at once; other changes only feed the
// cluster-wide counts in the APIs and are batched.
constexpr int CountFlushMs = 1000;
constexpr qint64 DialBackoffMs = 2000;
// How long the address of a member that died or left keeps being tried, so that the two
// sides of a healed network cut find each other again.
constexpr qint64 RedialGoneMs = 10 * 60 * 1000;
constexpr qint64 UnwantedLinkGraceMs = 5000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString countKey(const QString &appId, const QString &channel)
{
    return appId + u'\n' + channel;
}

MemberRecord initialSelf(const Config::ClusterSettings &settings)
{
    MemberRecord self;
    self.id = QString::fromLatin1(Crypto::randomBytes(8).toHex());
    self.region = settings.region;
    // Starting above any earlier process's incarnation is not needed: the id is new.
    self.incarnation = 0;
    return self;
}

const char *stateName(MemberState state)
{
    switch (state) {
    case MemberState::Alive:
        return "alive";
    case MemberState::Suspect:
        return "suspect";
    case MemberState::Dead:
        return "dead";
    case MemberState::Left:
        return "left";
    }
    return "unknown";
}

} // namespace

ClusterNode::ClusterNode(const Config::ClusterSettings &settings,
                         ClusterIdentityView identity,
                         Broker::Broker &broker,
                         RemoteEvents *events,
                         Observability::NodeMetrics *metrics,
                         QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_identity(std::move(identity))
    , m_broker(broker)
    , m_events(events)
    , m_metrics(metrics)
    , m_table(initialSelf(settings))
    , m_prober(m_table,
               ProbeTimings{settings.probeIntervalMs, settings.probeTimeoutMs, settings.suspicionMs,
                            settings.indirectProbes},
               this,
               this)
{
    m_prober.setProbeable([this](const MemberRecord &member) { return wantsLink(member); });
    connect(&m_prober, &Prober::verdict, this, [this](const MemberRecord &record) {
        broadcast(MembersUpdate{{record}});
        onMemberChanged(record);
    });
    connect(&m_listener, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_listener.nextPendingConnection()) {
            watchLink(PeerLink::accept(socket, credentials(), this));
        }
    });
    m_maintenance.setInterval(settings.probeIntervalMs);
    connect(&m_maintenance, &QTimer::timeout, this, &ClusterNode::maintainLinks);
    m_countFlush.setInterval(CountFlushMs);
    connect(&m_countFlush, &QTimer::timeout, this, &ClusterNode::flushCounts);
}

ClusterNode::~ClusterNode()
{
    m_broker.setObserver(nullptr);
}

Result<void> ClusterNode::start()
{
    if (!m_listener.listen(m_settings.peerHost, m_settings.peerPort)) {
        return Error{0,
                     u"Cannot listen for peers on %1:%2: %3"_s.arg(m_settings.peerHost.toString())
                             .arg(m_settings.peerPort)
                             .arg(m_listener.errorString())};
    }
    MemberRecord self = m_table.self();
    self.address =
            m_settings.advertise.isEmpty()
                    ? u"%1:%2"_s
                              .arg(m_settings.peerHost.protocol() == QAbstractSocket::IPv6Protocol
                                           ? u"["_s + m_settings.peerHost.toString() + u"]"_s
                                           : m_settings.peerHost.toString())
                              .arg(m_listener.serverPort())
                    : m_settings.advertise;
    self.name = m_settings.nodeName.isEmpty()
                        ? u"%1:%2"_s.arg(QHostInfo::localHostName()).arg(m_listener.serverPort())
                        : m_settings.nodeName;
    m_table = MemberTable(self);
    m_broker.setObserver(this);
    m_prober.start();
    m_maintenance.start();
    m_countFlush.start();
    updateGauges();
    qCInfo(lcCluster) << "member" << self.id << "name=" << self.name << "address=" << self.address
                      << "region=" << self.region << "cluster=" << m_identity.clusterId;
    maintainLinks();
    return {};
}

void ClusterNode::leave()
{
    if (m_left) {
        return;
    }
    m_left = true;
    const MemberRecord goodbye = m_table.leave();
    broadcast(MembersUpdate{{goodbye}});
    m_prober.stop();
    m_maintenance.stop();
    m_countFlush.stop();
    m_listener.close();
    qCInfo(lcCluster) << "left the cluster, told" << m_links.size() << "peers";
}

LinkCredentials ClusterNode::credentials() const
{
    return LinkCredentials{m_identity.clusterId, m_identity.secret, m_table.self().id,
                           [this] { return m_table.self(); }};
}

void ClusterNode::watchLink(PeerLink *link)
{
    connect(link, &PeerLink::established, this, [this, link] { onLinkUp(link); });
    connect(link, &PeerLink::received, this,
            [this, link](const PeerMessage &message) { onMessage(link, message); });
    connect(link, &PeerLink::closed, this,
            [this, link](const QString &reason) { onLinkClosed(link, reason); });
}

void ClusterNode::dial(const QString &address)
{
    if (m_dialing.contains(address) || m_left) {
        return;
    }
    m_nextDialMs.insert(address, nowMs() + DialBackoffMs);
    PeerLink *link = PeerLink::dial(address, credentials(), this);
    m_dialing.insert(address, link);
    watchLink(link);
}

void ClusterNode::onLinkUp(PeerLink *link)
{
    if (link->role() == PeerLink::Role::Dialer) {
        m_dialing.remove(link->address());
    }
    const MemberRecord peer = link->peer();
    PeerLink *existing = m_links.value(peer.id);
    if (existing && existing != link) {
        // Both sides dialled at once. Each keeps the link dialled by the smaller id, so both
        // close the same one; messages already sent on the other are still read.
        const Broker::NodeId keeper = qMin(m_table.self().id, peer.id);
        const bool keepNew = link->dialerId() == keeper && existing->dialerId() != keeper;
        PeerLink *loser = keepNew ? existing : link;
        if (loser == existing) {
            m_links.insert(peer.id, link);
        }
        loser->close(u"duplicate link"_s);
        if (loser == link) {
            return;
        }
    }
    m_links.insert(peer.id, link);
    m_linkUpMs.insert(peer.id, nowMs());
    updateGauges();
    qCInfo(lcCluster) << "peer link up with" << peer.id << peer.name << "at" << link->address();
    applyMembers({peer});
    link->send(MembersUpdate{m_table.all()});
    sendShare(link);
}

void ClusterNode::onLinkClosed(PeerLink *link, const QString &reason)
{
    if (link->role() == PeerLink::Role::Dialer && m_dialing.value(link->address()) == link) {
        m_dialing.remove(link->address());
    }
    if (!link->isEstablished()) {
        qCDebug(lcCluster) << "peer link to" << link->address() << "failed:" << reason;
        return;
    }
    const Broker::NodeId id = link->peer().id;
    if (m_links.value(id) != link) {
        return;
    }
    m_links.remove(id);
    m_linkUpMs.remove(id);
    updateGauges();
    qCInfo(lcCluster) << "peer link with" << id << "closed:" << reason;
    // A broken link is a hint, not a verdict: the prober decides, through the other members.
    if (!m_left) {
        m_prober.probeNow(id);
    }
}

void ClusterNode::onMessage(PeerLink *link, const PeerMessage &message)
{
    if (m_left) {
        return;
    }
    m_metrics->peerMessagesReceived.fetch_add(1, std::memory_order_relaxed);
    const Broker::NodeId from = link->peer().id;
    if (const auto *publication = std::get_if<RemotePublication>(&message)) {
        onPublication(*publication);
    } else if (const auto *ping = std::get_if<Ping>(&message)) {
        link->send(Ack{ping->sequence});
    } else if (const auto *ack = std::get_if<Ack>(&message)) {
        m_prober.onAck(ack->sequence);
    } else if (const auto *request = std::get_if<PingRequest>(&message)) {
        m_prober.onPingRequest(from, request->sequence, request->target);
    } else if (const auto *members = std::get_if<MembersUpdate>(&message)) {
        applyMembers(members->members);
    } else if (const auto *interest = std::get_if<InterestUpdate>(&message)) {
        if (acceptShare(m_interestApplied, interest->origin, interest->version)) {
            applyInterest(*interest);
            relayShare(link, interest->origin, *interest);
        }
    } else if (const auto *presence = std::get_if<PresenceUpdate>(&message)) {
        if (acceptShare(m_presenceApplied, presence->origin, presence->version)) {
            applyPresence(*presence);
            relayShare(link, presence->origin, *presence);
        }
    } else {
        link->close(u"handshake message on an established link"_s);
    }
}

void ClusterNode::onPublication(const RemotePublication &publication)
{
    m_metrics->peerPublicationsReceived.fetch_add(1, std::memory_order_relaxed);
    m_events->remotePublication(publication.appId, publication.publication);
    const QString &region = m_table.self().region;
    if (publication.crossed) {
        // Just crossed into this region: this gateway hands it to the region's other nodes.
        const RemotePublication inside{publication.appId, publication.publication, {}, false};
        for (const Broker::NodeId &id :
             m_broker.interestedNodes(publication.appId, publication.publication.channel)) {
            if (regionOf(id) == region) {
                if (PeerLink *link = m_links.value(id)) {
                    link->send(inside);
                    m_metrics->peerPublicationsSent.fetch_add(1, std::memory_order_relaxed);
                }
            }
        }
        return;
    }
    if (publication.relayTo.isEmpty() || !isGateway()) {
        return;
    }
    const RemotePublication across{publication.appId, publication.publication, {}, true};
    for (const QString &target : publication.relayTo) {
        PeerLink *link = target == region ? nullptr : m_links.value(gatewayOf(target));
        if (link) {
            link->send(across);
            m_metrics->peerPublicationsSent.fetch_add(1, std::memory_order_relaxed);
            m_metrics->gatewayPublicationsSent.fetch_add(1, std::memory_order_relaxed);
        }
    }
}

void ClusterNode::applyMembers(const QList<MemberRecord> &records)
{
    for (const MemberRecord &record : records) {
        const std::optional<MemberRecord> before = m_table.find(record.id);
        const std::optional<MemberRecord> changed = m_table.apply(record);
        if (!changed) {
            continue;
        }
        // Passed on so that members without a link to the source hear it as well.
        broadcast(MembersUpdate{{*changed}});
        if (changed->id == m_table.self().id) {
            qCInfo(lcCluster) << "refuted a rumour that this node is" << stateName(record.state)
                              << "; incarnation now" << changed->incarnation;
            for (PeerLink *link : std::as_const(m_links)) {
                sendShare(link);
            }
            continue;
        }
        const bool cameBack = (!before || !isLive(before->state)) && isLive(changed->state);
        onMemberChanged(*changed);
        if (cameBack) {
            if (PeerLink *link = m_links.value(changed->id)) {
                sendShare(link);
            }
        }
    }
}

void ClusterNode::onMemberChanged(const MemberRecord &record)
{
    m_prober.watch(record);
    updateGauges();
    qCInfo(lcCluster) << "member" << record.id << record.name << "is" << stateName(record.state)
                      << "incarnation" << record.incarnation;
    if (isLive(record.state)) {
        m_goneSinceMs.remove(record.id);
        return;
    }
    if (record.state == MemberState::Dead) {
        m_metrics->clusterMembersDeclaredDead.fetch_add(1, std::memory_order_relaxed);
    }
    m_goneSinceMs.insert(record.id, nowMs());
    dropShare(record.id);
    if (PeerLink *link = m_links.take(record.id)) {
        link->close(u"member is %1"_s.arg(QLatin1StringView(stateName(record.state))));
    }
    updateGauges();
}

void ClusterNode::dropShare(const Broker::NodeId &member)
{
    m_interestApplied.remove(member);
    m_presenceApplied.remove(member);
    for (const Broker::MemberChange &gone : m_broker.removeNode(member)) {
        m_events->remoteMemberRemoved(gone);
    }
}

bool ClusterNode::acceptShare(QHash<Broker::NodeId, quint64> &applied,
                              const Broker::NodeId &origin,
                              quint64 version)
{
    if (origin == m_table.self().id) {
        return false;
    }
    const auto member = m_table.find(origin);
    if (!member || !isLive(member->state) || version <= applied.value(origin)) {
        return false;
    }
    applied.insert(origin, version);
    return true;
}

void ClusterNode::applyInterest(const InterestUpdate &update)
{
    const Broker::NodeId &origin = update.origin;
    if (update.full) {
        QSet<QString> listed;
        for (const InterestEntry &entry : update.entries) {
            listed.insert(countKey(entry.appId, entry.channel));
        }
        for (const auto &[appId, channel] : m_broker.remoteSubscriptionsOf(origin)) {
            if (!listed.contains(countKey(appId, channel.first))) {
                m_broker.setRemoteSubscriptions(origin, appId, channel.first, 0);
            }
        }
    }
    for (const InterestEntry &entry : update.entries) {
        m_broker.setRemoteSubscriptions(origin, entry.appId, entry.channel, entry.count);
    }
}

void ClusterNode::applyPresence(const PresenceUpdate &update)
{
    const Broker::NodeId &origin = update.origin;
    if (update.full) {
        QSet<QString> listed;
        for (const PresenceEntry &entry : update.entries) {
            listed.insert(countKey(entry.appId, entry.channel) + u'\n' + entry.member.userId);
        }
        for (const Broker::MemberChange &held : m_broker.remoteMembersOf(origin)) {
            if (listed.contains(countKey(held.appId, held.channel) + u'\n' + held.member.userId)) {
                continue;
            }
            if (const auto removed = m_broker.removeRemoteMember(origin, held.appId, held.channel,
                                                                 held.member.userId)) {
                m_events->remoteMemberRemoved({held.appId, held.channel, *removed});
            }
        }
    }
    for (const PresenceEntry &entry : update.entries) {
        if (entry.present) {
            if (m_broker.addRemoteMember(origin, entry.appId, entry.channel, entry.member)) {
                m_events->remoteMemberAdded({entry.appId, entry.channel, entry.member});
            }
        } else if (const auto removed =
                           m_broker.removeRemoteMember(origin, entry.appId, entry.channel,
                                                       entry.member.userId)) {
            m_events->remoteMemberRemoved({entry.appId, entry.channel, *removed});
        }
    }
}

void ClusterNode::relayShare(PeerLink *from,
                             const Broker::NodeId &origin,
                             const PeerMessage &update)
{
    if (isGatewayLink(from)) {
        sendToRegion(update);
    } else if (isGateway() && regionOf(origin) == m_table.self().region) {
        sendToGateways(update);
    }
}

void ClusterNode::sendShare(PeerLink *link)
{
    InterestUpdate interest{m_table.self().id, ++m_shareVersion, true, {}};
    for (const auto &[appId, channel] : m_broker.localSubscriptions()) {
        interest.entries.append({appId, channel.first, channel.second});
    }
    link->send(interest);
    PresenceUpdate presence{m_table.self().id, ++m_shareVersion, true, {}};
    for (const Broker::MemberChange &held : m_broker.localMembers()) {
        presence.entries.append({held.appId, held.channel, held.member, true});
    }
    link->send(presence);

    // What the peer cannot hear from anyone else: over a gateway link, the shares of this
    // region's nodes; from a gateway to its region, the shares of the other regions' nodes.
    const bool gatewayLink = isGatewayLink(link);
    if (!gatewayLink && !isGateway()) {
        return;
    }
    QSet<Broker::NodeId> origins;
    for (auto it = m_interestApplied.cbegin(); it != m_interestApplied.cend(); ++it) {
        origins.insert(it.key());
    }
    for (auto it = m_presenceApplied.cbegin(); it != m_presenceApplied.cend(); ++it) {
        origins.insert(it.key());
    }
    const QString &region = m_table.self().region;
    for (const Broker::NodeId &origin : std::as_const(origins)) {
        const bool local = regionOf(origin) == region;
        if (origin != link->peer().id && local == gatewayLink) {
            sendShareOf(link, origin);
        }
    }
}

void ClusterNode::sendShareOf(PeerLink *link, const Broker::NodeId &origin)
{
    if (const quint64 version = m_interestApplied.value(origin)) {
        InterestUpdate interest{origin, version, true, {}};
        for (const auto &[appId, channel] : m_broker.remoteSubscriptionsOf(origin)) {
            interest.entries.append({appId, channel.first, channel.second});
        }
        link->send(interest);
    }
    if (const quint64 version = m_presenceApplied.value(origin)) {
        PresenceUpdate presence{origin, version, true, {}};
        for (const Broker::MemberChange &held : m_broker.remoteMembersOf(origin)) {
            presence.entries.append({held.appId, held.channel, held.member, true});
        }
        link->send(presence);
    }
}

void ClusterNode::localSubscriptionsChanged(const QString &appId, const QString &channel, int count)
{
    const QString key = countKey(appId, channel);
    const int announced = m_announcedCounts.value(key);
    if ((announced == 0) == (count == 0)) {
        if (count != announced) {
            m_dirtyCounts.insert(key);
        }
        return;
    }
    if (count == 0) {
        m_announcedCounts.remove(key);
    } else {
        m_announcedCounts.insert(key, count);
    }
    m_dirtyCounts.remove(key);
    broadcast(
            InterestUpdate{m_table.self().id, ++m_shareVersion, false, {{appId, channel, count}}});
}

void ClusterNode::flushCounts()
{
    if (m_dirtyCounts.isEmpty()) {
        return;
    }
    InterestUpdate update{m_table.self().id, ++m_shareVersion, false, {}};
    for (const QString &key : std::as_const(m_dirtyCounts)) {
        const qsizetype split = key.indexOf(u'\n');
        const QString appId = key.left(split);
        const QString channel = key.mid(split + 1);
        const Broker::Channel *state = m_broker.channel(appId, channel);
        const int count = state ? state->subscriptionCount() : 0;
        if (count > 0) {
            m_announcedCounts.insert(key, count);
            update.entries.append({appId, channel, count});
        }
    }
    m_dirtyCounts.clear();
    if (!update.entries.isEmpty()) {
        broadcast(update);
    }
}

void ClusterNode::localMemberAdded(const QString &appId,
                                   const QString &channel,
                                   const Broker::PresenceMember &member)
{
    broadcast(PresenceUpdate{m_table.self().id,
                             ++m_shareVersion,
                             false,
                             {{appId, channel, member, true}}});
}

void ClusterNode::localMemberRemoved(const QString &appId,
                                     const QString &channel,
                                     const QString &userId)
{
    broadcast(PresenceUpdate{m_table.self().id,
                             ++m_shareVersion,
                             false,
                             {{appId, channel, {userId, {}}, false}}});
}

void ClusterNode::forward(const QString &appId, const Broker::Publication &publication)
{
    const QList<Broker::NodeId> interested = m_broker.interestedNodes(appId, publication.channel);
    if (interested.isEmpty()) {
        return;
    }
    const QString &region = m_table.self().region;
    QHash<Broker::NodeId, RemotePublication> outgoing;
    QSet<QString> otherRegions;
    for (const Broker::NodeId &id : interested) {
        const QString target = regionOf(id);
        if (target == region) {
            outgoing.insert(id, RemotePublication{appId, publication, {}, false});
        } else if (!target.isEmpty()) {
            otherRegions.insert(target);
        }
    }
    const bool gateway = isGateway();
    const Broker::NodeId ownGateway = gatewayOf(region);
    for (const QString &target : std::as_const(otherRegions)) {
        if (gateway) {
            if (PeerLink *link = m_links.value(gatewayOf(target))) {
                link->send(RemotePublication{appId, publication, {}, true});
                m_metrics->peerPublicationsSent.fetch_add(1, std::memory_order_relaxed);
                m_metrics->gatewayPublicationsSent.fetch_add(1, std::memory_order_relaxed);
            }
            continue;
        }
        auto via = outgoing.find(ownGateway);
        if (via == outgoing.end()) {
            via = outgoing.insert(ownGateway, RemotePublication{appId, publication, {}, false});
        }
        via->relayTo.append(target);
    }
    for (auto it = outgoing.cbegin(); it != outgoing.cend(); ++it) {
        if (PeerLink *link = m_links.value(it.key())) {
            link->send(it.value());
            m_metrics->peerPublicationsSent.fetch_add(1, std::memory_order_relaxed);
        }
    }
}

bool ClusterNode::sendTo(const Broker::NodeId &member, const PeerMessage &message)
{
    PeerLink *link = m_links.value(member);
    if (!link) {
        return false;
    }
    link->send(message);
    return true;
}

void ClusterNode::broadcast(const PeerMessage &message)
{
    for (PeerLink *link : std::as_const(m_links)) {
        link->send(message);
    }
}

void ClusterNode::sendToRegion(const PeerMessage &message)
{
    for (PeerLink *link : std::as_const(m_links)) {
        if (!isGatewayLink(link)) {
            link->send(message);
        }
    }
}

void ClusterNode::sendToGateways(const PeerMessage &message)
{
    for (PeerLink *link : std::as_const(m_links)) {
        if (isGatewayLink(link)) {
            link->send(message);
        }
    }
}

QString ClusterNode::regionOf(const Broker::NodeId &id) const
{
    const auto member = m_table.find(id);
    return member ? member->region : QString();
}

bool ClusterNode::isGatewayLink(const PeerLink *link) const
{
    return regionOf(link->peer().id) != m_table.self().region;
}

Broker::NodeId ClusterNode::gatewayOf(const QString &region) const
{
    Broker::NodeId gateway;
    for (const MemberRecord &member : m_table.all()) {
        if (member.region == region && isLive(member.state)
            && (gateway.isEmpty() || member.id < gateway)) {
            gateway = member.id;
        }
    }
    return gateway;
}

bool ClusterNode::wantsLink(const MemberRecord &member) const
{
    if (!isLive(member.state) || member.id == m_table.self().id) {
        return false;
    }
    return member.region == m_table.self().region
           || (isGateway() && gatewayOf(member.region) == member.id);
}

void ClusterNode::maintainLinks()
{
    const qint64 now = nowMs();
    const MemberRecord &self = m_table.self();
    auto due = [this, now](const QString &address) {
        return !m_dialing.contains(address) && m_nextDialMs.value(address) <= now;
    };
    for (const MemberRecord &member : m_table.all()) {
        // One side of each pair dials, so that a pair normally has one link: the smaller id.
        if (member.id == self.id || m_links.contains(member.id) || self.id > member.id
            || !due(member.address)) {
            continue;
        }
        if (isLive(member.state)) {
            if (wantsLink(member)) {
                dial(member.address);
            }
            continue;
        }
        // Gone members are redialled for a while, so the sides of a healed cut meet again.
        const bool recent = now - m_goneSinceMs.value(member.id, now) <= RedialGoneMs;
        const bool reachable =
                member.region == self.region || (isGateway() && gatewayOf(member.region).isEmpty());
        if (recent && reachable) {
            dial(member.address);
        }
    }
    for (auto it = m_links.cbegin(); it != m_links.cend(); ++it) {
        const auto member = m_table.find(it.key());
        if (member && isLive(member->state) && !wantsLink(*member)
            && now - m_linkUpMs.value(it.key(), now) > UnwantedLinkGraceMs) {
            // Closing emits `closed`, which edits m_links: leave the loop first.
            PeerLink *unwanted = it.value();
            QMetaObject::invokeMethod(
                    unwanted, [unwanted] { unwanted->close(u"not a link this topology keeps"_s); },
                    Qt::QueuedConnection);
        }
    }
    if (m_links.isEmpty()) {
        for (const QString &seed : std::as_const(m_settings.seeds)) {
            if (seed != self.address && due(seed)) {
                dial(seed);
            }
        }
    }
}

void ClusterNode::updateGauges()
{
    qint64 alive = 0;
    qint64 suspect = 0;
    for (const MemberRecord &member : m_table.all()) {
        alive += member.state == MemberState::Alive ? 1 : 0;
        suspect += member.state == MemberState::Suspect ? 1 : 0;
    }
    m_metrics->clusterMembersAlive.store(alive, std::memory_order_relaxed);
    m_metrics->clusterMembersSuspect.store(suspect, std::memory_order_relaxed);
    m_metrics->peerLinks.store(m_links.size(), std::memory_order_relaxed);
    m_metrics->regionGateway.store(isGateway() ? 1 : 0, std::memory_order_relaxed);
}

} // namespace DNotifier::Cluster
