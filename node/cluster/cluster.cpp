#include "cluster.h"

#include <common/crypto/digest.h>
#include <node/config/privatefiles.h>
#include <node/logging.h>
#include <node/observability/logformat.h>
#include <node/observability/nodemetrics.h>
#include <node/transport/epolldispatcher.h>

#include <QDateTime>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslServer>

namespace DNotifier::Cluster {

using namespace Qt::Literals::StringLiterals;

namespace {

// Joins are taken before client work on a thread that serves clients too
// (EpollDispatcher::setUrgent); cleared before the listener closes its descriptor.
void setUrgent(const QTcpServer &listener, bool urgent)
{
    if (Transport::EpollDispatcher *dispatcher = Transport::EpollDispatcher::ofThisThread()) {
        dispatcher->setUrgent(int(listener.socketDescriptor()), urgent);
    }
}

// Counts between 0 and 1 change routing and go out at once; other changes only feed the
// cluster-wide counts in the APIs and are batched.
constexpr int CountFlushMs = 1000;
constexpr qint64 DialBackoffMs = 2000;
// How long the address of a member that died or left keeps being tried, so that the two
// sides of a healed network cut find each other again.
constexpr qint64 RedialGoneMs = 10 * 60 * 1000;
constexpr qint64 UnwantedLinkGraceMs = 5000;
// Accepted connections still in the handshake; more are closed at once.
constexpr qsizetype MaxUnprovenLinks = 32;
// How long a node with seeds waits for its first link before it reports ready alone.
constexpr int AloneAfterMs = 10'000;
// A node's status names at most a hundred channels; anything far larger is not one of ours.
constexpr qsizetype MaxNodeStatusBytes = 256 * 1024;
// A TLS handshake that has not finished by then is dropped by the listener.
constexpr int PeerTlsHandshakeTimeoutMs = 5000;
constexpr int PeerListenBacklog = 4096;

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
    self.startedMs = QDateTime::currentMSecsSinceEpoch();
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
                         QString peersFile,
                         std::optional<PeerTls> tls,
                         Broker::Broker &broker,
                         RemoteEvents *events,
                         Observability::NodeMetrics *metrics,
                         QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_identity(std::move(identity))
    , m_peersFile(std::move(peersFile))
    , m_tls(std::move(tls))
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
    connect(&m_prober, &Prober::roundTrip, this,
            [this](const Broker::NodeId &member, qint64 microseconds) {
                m_roundTripUs.insert(member, microseconds);
            });
    connect(&m_prober, &Prober::verdict, this, [this](const MemberRecord &record) {
        broadcast(MembersUpdate{{record}});
        onMemberChanged(record);
        afterMembershipChange();
    });
    if (m_tls) {
        auto *secure = new QSslServer;
        secure->setSslConfiguration(m_tls->server);
        secure->setHandshakeTimeout(PeerTlsHandshakeTimeoutMs);
        m_listener.reset(secure);
    } else {
        m_listener = std::make_unique<QTcpServer>();
    }
    // As deep as the client port's: while the main thread is busy for a moment, a burst of
    // connections (a restarted region rejoining, or a flood the unproven-link cap then sheds)
    // waits in the kernel instead of losing SYNs to a 1 s retransmission.
    m_listener->setListenBacklogSize(PeerListenBacklog);
    // QSslServer offers a connection once its TLS handshake is done.
    connect(m_listener.get(), &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = m_listener->nextPendingConnection()) {
            // Until it proves it belongs, a connection costs descriptors and memory that
            // anyone who reaches the port could otherwise pile up.
            if (m_unproven.size() >= MaxUnprovenLinks) {
                socket->abort();
                socket->deleteLater();
                continue;
            }
            PeerLink *link = PeerLink::accept(socket, credentials(), this);
            m_unproven.insert(link);
            watchLink(link);
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
    if (!m_listener->listen(m_settings.peerHost, m_settings.peerPort)) {
        return Error{0,
                     u"Cannot listen for peers on %1:%2: %3"_s.arg(m_settings.peerHost.toString())
                             .arg(m_settings.peerPort)
                             .arg(m_listener->errorString())};
    }
    setUrgent(*m_listener, true);
    MemberRecord self = m_table.self();
    self.address = m_settings.dialAddress(m_listener->serverPort());
    if (self.address.isEmpty()) {
        setUrgent(*m_listener, false);
        m_listener->close();
        return Error{0, u"peer_host %1 listens on every address, so the other nodes need to be "
                        "told which one reaches this node: set advertise (--advertise "
                        "HOST:PORT)"_s.arg(m_settings.peerHost.toString())};
    }
    self.name = m_settings.nodeName.isEmpty()
                        ? u"%1:%2"_s.arg(QHostInfo::localHostName()).arg(m_listener->serverPort())
                        : m_settings.nodeName;
    m_table = MemberTable(self);
    m_sequencer = self.id;
    Observability::setLogNodeId(self.id);
    m_broker.setObserver(this);
    // A stream made from nothing gets the same epoch on every node of the region while its
    // sequencer stays, so a client that subscribed on any of them can recover on the others.
    m_broker.setEpochSource([this](const QString &appId, const QString &channel) {
        const QByteArray seed = sequencerOf(m_table.self().region).toUtf8() + '\n' + appId.toUtf8()
                                + '\n' + channel.toUtf8();
        return QString::fromLatin1(Crypto::sha256(seed).toHex().left(8));
    });
    m_prober.start();
    m_maintenance.start();
    m_countFlush.start();
    updateGauges();
    // A node with nobody to dial has its whole cluster view at once; one with seeds once a
    // link is up, or after a while alone: its peers may all be gone, and it serves anyway.
    if (m_settings.seeds.isEmpty()) {
        m_metrics->clusterSynced.store(1, std::memory_order_relaxed);
    } else {
        QTimer::singleShot(AloneAfterMs, this, [this] {
            m_metrics->clusterSynced.store(1, std::memory_order_relaxed);
        });
    }
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
    setUrgent(*m_listener, false);
    m_listener->close();
    qCInfo(lcCluster) << "left the cluster, told" << m_links.size() << "peers";
}

LinkCredentials ClusterNode::credentials() const
{
    LinkCredentials credentials{m_identity.clusterId, m_identity.secret,
                                m_table.self().id,    [this] { return m_table.self(); },
                                std::nullopt,         {}};
    if (m_tls) {
        credentials.tls = m_tls->client;
        credentials.ownCertificateDigest = m_tls->certificateDigest;
    }
    return credentials;
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
    m_metrics->clusterSynced.store(1, std::memory_order_relaxed);
    m_unproven.remove(link);
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
    m_everLinked.insert(peer.id);
    m_linkUpMs.insert(peer.id, nowMs());
    updateGauges();
    qCInfo(lcCluster) << "peer link up with" << peer.id << peer.name << "at" << link->address();
    applyMembers({peer});
    link->send(MembersUpdate{m_table.all()});
    sendShare(link);
    // A member proven by its first link may now take a role (sequencer, gateway).
    afterMembershipChange();
}

void ClusterNode::onLinkClosed(PeerLink *link, const QString &reason)
{
    m_unproven.remove(link);
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
    if (id == m_awaitingSentTo) {
        // What went over the broken link may be lost: send it all again on the next one.
        m_awaitingSentTo.clear();
    }
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
        m_prober.onAck(from, ack->sequence);
    } else if (const auto *request = std::get_if<PingRequest>(&message)) {
        m_prober.onPingRequest(from, request->sequence, request->target);
    } else if (const auto *clients = std::get_if<ClientPresenceUpdate>(&message)) {
        if (mayCarryShareOf(link, clients->origin)
            && acceptShare(m_clientsApplied, clients->origin, clients->version)) {
            applyClientPresence(*clients);
            relayShare(link, clients->origin, *clients);
        }
    } else if (const auto *command = std::get_if<UserCommandMessage>(&message)) {
        m_events->userCommand(command->command);
        // Passed on like a share: into the region from a gateway link, out to the other
        // gateways from this region's nodes.
        if (isGatewayLink(link)) {
            sendToRegion(*command);
        } else if (isGateway() && regionOf(from) == m_table.self().region) {
            sendToGateways(*command);
        }
    } else if (const auto *status = std::get_if<NodeStatusMessage>(&message)) {
        if (status->status.size() <= MaxNodeStatusBytes && mayCarryShareOf(link, status->origin)
            && acceptShare(m_statusApplied, status->origin, status->version)) {
            m_statuses.insert(status->origin,
                              {status->status, QDateTime::currentMSecsSinceEpoch()});
            relayShare(link, status->origin, *status);
        }
    } else if (const auto *apps = std::get_if<ManagedAppsMessage>(&message)) {
        Q_EMIT appsReceived(apps->apps);
    } else if (const auto *relay = std::get_if<AdminRelay>(&message)) {
        if (relay->to == m_table.self().id) {
            Q_EMIT adminReceived(relay->from, relay->id, relay->answer, relay->body);
        } else if (relay->hops < MaxAdminRelayHops) {
            if (PeerLink *next = routeTo(relay->to)) {
                AdminRelay forwarded = *relay;
                ++forwarded.hops;
                next->send(forwarded);
            }
        }
    } else if (const auto *members = std::get_if<MembersUpdate>(&message)) {
        applyMembers(members->members);
    } else if (const auto *interest = std::get_if<InterestUpdate>(&message)) {
        if (mayCarryShareOf(link, interest->origin)
            && acceptShare(m_interestApplied, interest->origin, interest->version)) {
            applyInterest(*interest);
            relayShare(link, interest->origin, *interest);
        }
    } else if (const auto *presence = std::get_if<PresenceUpdate>(&message)) {
        if (mayCarryShareOf(link, presence->origin)
            && acceptShare(m_presenceApplied, presence->origin, presence->version)) {
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
    const QString &appId = publication.appId;
    if (publication.sequenced) {
        const bool mine = publication.origin == m_table.self().id;
        m_events->replica(appId, publication.publication, publication.epoch,
                          mine ? publication.except : 0);
        if (mine) {
            m_awaitingOrder.remove(publication.originSequence);
        }
        return;
    }
    if (!m_events->isSequenced(appId, publication.publication.channel)) {
        onUnsequenced(publication);
        return;
    }
    if (!publication.relayTo.isEmpty() && !publication.crossed) {
        // The sequencer sends it to other regions through this gateway; the nodes of this
        // region have their ordered copies already.
        relayAcross(publication);
        return;
    }
    const Broker::NodeId sequencer = sequencerOf(m_table.self().region);
    if (sequencer != m_table.self().id) {
        // Sent before the sender learned of a new sequencer, or just crossed into the region.
        if (PeerLink *link = m_links.value(sequencer)) {
            link->send(publication);
        }
        return;
    }
    if (!publication.origin.isEmpty()
        && publication.originSequence <= m_orderedFrom.value(publication.origin)) {
        // Sent again after a broken link although it had arrived.
        return;
    }
    const std::optional<SequencedPublication> ordered =
            m_events->sequence(appId, publication.publication, 0);
    if (!ordered) {
        return;
    }
    if (!publication.origin.isEmpty()) {
        m_orderedFrom.insert(publication.origin, publication.originSequence);
    }
    RemotePublication copy = publication;
    copy.publication = ordered->publication;
    copy.epoch = ordered->epoch;
    copy.sequenced = true;
    replicate(copy, !publication.crossed);
}

void ClusterNode::onUnsequenced(const RemotePublication &publication)
{
    m_events->remotePublication(publication.appId, publication.publication);
    if (publication.crossed) {
        // Just crossed into this region: this gateway hands it to the region's other nodes.
        const QByteArray inside =
                peerFrame(RemotePublication::of(publication.appId, publication.publication));
        const QString &region = m_table.self().region;
        for (const Broker::NodeId &id :
             m_broker.interestedNodes(publication.appId, publication.publication.channel)) {
            if (regionOf(id) == region) {
                sendPublication(id, inside);
            }
        }
        return;
    }
    relayAcross(publication);
}

void ClusterNode::relayAcross(const RemotePublication &publication)
{
    if (publication.relayTo.isEmpty() || !isGateway()) {
        return;
    }
    const QByteArray across = crossingFrame(publication.appId, publication.publication);
    const QSet<QString> targets(publication.relayTo.cbegin(), publication.relayTo.cend());
    for (const QString &target : targets) {
        if (target != m_table.self().region) {
            sendAcross(target, across);
        }
    }
}

QByteArray ClusterNode::crossingFrame(const QString &appId, const Broker::Publication &publication)
{
    RemotePublication across = RemotePublication::of(appId, publication);
    across.crossed = true;
    return peerFrame(across);
}

bool ClusterNode::sendPublication(const Broker::NodeId &to, const QByteArray &frame)
{
    PeerLink *link = m_links.value(to);
    if (!link) {
        return false;
    }
    link->sendFrame(frame);
    m_metrics->peerPublicationsSent.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void ClusterNode::sendAcross(const QString &region, const QByteArray &crossing)
{
    if (sendPublication(gatewayOf(region), crossing)) {
        m_metrics->gatewayPublicationsSent.fetch_add(1, std::memory_order_relaxed);
    }
}

QSet<QString> ClusterNode::otherRegionsOf(const QList<Broker::NodeId> &interested) const
{
    QSet<QString> regions;
    for (const Broker::NodeId &id : interested) {
        const QString region = regionOf(id);
        if (!region.isEmpty() && region != m_table.self().region) {
            regions.insert(region);
        }
    }
    return regions;
}

void ClusterNode::applyMembers(const QList<MemberRecord> &records)
{
    QList<MemberRecord> news;
    for (const MemberRecord &record : records) {
        const std::optional<MemberRecord> before = m_table.find(record.id);
        const std::optional<MemberRecord> changed = m_table.apply(record);
        if (!changed) {
            continue;
        }
        news.append(*changed);
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
    if (news.isEmpty()) {
        return;
    }
    // Passed on so that members without a link to the source hear it as well.
    broadcast(MembersUpdate{news});
    afterMembershipChange();
}

void ClusterNode::afterMembershipChange()
{
    checkSequencer();
    updateGauges();
    savePeers();
}

void ClusterNode::savePeers()
{
    if (m_peersFile.isEmpty() || m_left) {
        return;
    }
    QList<QString> addresses;
    for (const MemberRecord &member : m_table.live()) {
        addresses.append(member.address);
    }
    // Keep what was saved while the node is alone: a restart wants the last cluster it saw.
    if (addresses.isEmpty()) {
        return;
    }
    std::sort(addresses.begin(), addresses.end());
    addresses = addresses.mid(0, MaxSavedPeers);
    if (addresses == m_savedPeers) {
        return;
    }
    m_savedPeers = addresses;
    const QJsonObject object{{u"peers"_s, QJsonArray::fromStringList(addresses)}};
    if (const Result<void> written =
                Config::writePrivateFile(m_peersFile, QJsonDocument(object).toJson());
        !written) {
        qCWarning(lcCluster) << "cannot keep the peers' addresses:" << written.error().message;
    }
}

void ClusterNode::onMemberChanged(const MemberRecord &record)
{
    m_prober.watch(record);
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
}

void ClusterNode::dropShare(const Broker::NodeId &member)
{
    m_statusApplied.remove(member);
    m_statuses.remove(member);
    m_roundTripUs.remove(member);
    m_interestApplied.remove(member);
    m_presenceApplied.remove(member);
    m_clientsApplied.remove(member);
    const QList<QPair<QString, QPair<QString, int>>> channels =
            m_broker.remoteSubscriptionsOf(member);
    // The departed node's region speaks for it, through its sequencer (this node, if the
    // departed one was the sequencer: the member is no longer live here).
    const bool speaksForIt = regionOf(member) == m_table.self().region && sequencesHere();
    const Broker::Broker::NodeDeparture departure = m_broker.removeNode(member);
    for (const Broker::ClientChange &gone : departure.clients) {
        m_events->remoteClientLeft(gone);
    }
    for (const Broker::MemberChange &gone : departure.members) {
        m_events->remoteMemberRemoved(gone);
        if (speaksForIt) {
            m_events->departedMemberRemoved(gone);
        }
    }
    if (!speaksForIt) {
        return;
    }
    for (const auto &[appId, channel] : channels) {
        if (m_broker.summary(appId, channel.first).subscriptionCount == 0) {
            m_events->departedChannelVacated(appId, channel.first);
        }
    }
}

bool ClusterNode::mayCarryShareOf(const PeerLink *link, const Broker::NodeId &origin) const
{
    const Broker::NodeId &peer = link->peer().id;
    if (origin == peer) {
        return true;
    }
    // Besides its own share, a link carries only what the topology relays over it: another
    // region's gateway passes on its region's shares, and this region's gateway passes on the
    // shares of the other regions.
    const QString &region = m_table.self().region;
    const QString originRegion = regionOf(origin);
    if (isGatewayLink(link)) {
        return originRegion == regionOf(peer);
    }
    return peer == gatewayOf(region) && !originRegion.isEmpty() && originRegion != region;
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

void ClusterNode::applyClientPresence(const ClientPresenceUpdate &update)
{
    const Broker::NodeId &origin = update.origin;
    auto withdraw = [this, &origin](const QString &appId, const QString &channel,
                                    const QString &clientId) {
        if (const auto removed = m_broker.removeRemoteClient(origin, appId, channel, clientId)) {
            m_events->remoteClientLeft({appId, channel, *removed});
        }
    };
    if (update.full) {
        QSet<QString> listed;
        for (const ClientPresenceEntry &entry : update.entries) {
            listed.insert(countKey(entry.appId, entry.channel) + u'\n' + entry.client.client);
        }
        for (const Broker::ClientChange &held : m_broker.remoteClientsOf(origin)) {
            if (!listed.contains(countKey(held.appId, held.channel) + u'\n' + held.client.client)) {
                withdraw(held.appId, held.channel, held.client.client);
            }
        }
    }
    for (const ClientPresenceEntry &entry : update.entries) {
        if (!entry.present) {
            withdraw(entry.appId, entry.channel, entry.client.client);
        } else if (m_broker.addRemoteClient(origin, entry.appId, entry.channel, entry.client)) {
            m_events->remoteClientJoined({entry.appId, entry.channel, entry.client});
        }
    }
}

void ClusterNode::announceClient(const QString &appId,
                                 const QString &channel,
                                 const Broker::PublisherInfo &client,
                                 bool present)
{
    const QString key = countKey(appId, channel) + u'\n' + client.client;
    const ClientPresenceEntry entry{appId, channel, client, present};
    if (present) {
        m_localClients.insert(key, entry);
    } else {
        m_localClients.remove(key);
    }
    broadcast(ClientPresenceUpdate{m_table.self().id, ++m_shareVersion, false, {entry}});
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
    if (!m_managedApps.isEmpty()) {
        link->send(ManagedAppsMessage{m_managedApps});
    }
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
    link->send(ClientPresenceUpdate{m_table.self().id, ++m_shareVersion, true,
                                    m_localClients.values()});

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
    for (auto it = m_clientsApplied.cbegin(); it != m_clientsApplied.cend(); ++it) {
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
    if (const quint64 version = m_clientsApplied.value(origin)) {
        ClientPresenceUpdate clients{origin, version, true, {}};
        for (const Broker::ClientChange &held : m_broker.remoteClientsOf(origin)) {
            clients.entries.append({held.appId, held.channel, held.client, true});
        }
        link->send(clients);
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

bool ClusterNode::sequencesHere() const
{
    return sequencerOf(m_table.self().region) == m_table.self().id;
}

void ClusterNode::sendToSequencer(const QString &appId,
                                  const Broker::Publication &publication,
                                  Broker::ConnectionId except)
{
    RemotePublication waiting = RemotePublication::of(appId, publication);
    waiting.origin = m_table.self().id;
    waiting.originSequence = ++m_originSequence;
    waiting.except = except;
    m_awaitingOrder.insert(waiting.originSequence, waiting);
    const Broker::NodeId sequencer = sequencerOf(m_table.self().region);
    if (m_awaitingSentTo == sequencer && sendPublication(sequencer, peerFrame(waiting))) {
        return;
    }
    sendAwaiting();
}

void ClusterNode::sendAwaiting()
{
    const Broker::NodeId sequencer = sequencerOf(m_table.self().region);
    if (sequencer == m_table.self().id) {
        const QMap<quint64, RemotePublication> waiting = std::exchange(m_awaitingOrder, {});
        for (const RemotePublication &publication : waiting) {
            sequenceAwaiting(publication);
        }
        m_awaitingSentTo.clear();
        return;
    }
    if (m_awaitingSentTo == sequencer || !m_links.contains(sequencer)) {
        return;
    }
    // In the order they were accepted, so the sequencer keeps each publisher's order.
    for (const RemotePublication &publication : std::as_const(m_awaitingOrder)) {
        sendPublication(sequencer, peerFrame(publication));
    }
    m_awaitingSentTo = sequencer;
}

void ClusterNode::sequenceAwaiting(const RemotePublication &awaiting)
{
    const std::optional<SequencedPublication> ordered =
            m_events->sequence(awaiting.appId, awaiting.publication, awaiting.except);
    if (!ordered) {
        return;
    }
    RemotePublication copy = RemotePublication::of(awaiting.appId, ordered->publication);
    copy.sequenced = true;
    copy.epoch = ordered->epoch;
    replicate(copy, true);
}

void ClusterNode::forward(const QString &appId,
                          const Broker::Publication &publication,
                          bool sequenced,
                          const QString &epoch)
{
    if (!sequenced) {
        routeByInterest(appId, publication);
        return;
    }
    RemotePublication copy = RemotePublication::of(appId, publication);
    copy.sequenced = true;
    copy.epoch = epoch;
    replicate(copy, true);
}

void ClusterNode::forwardUserCommand(const Delivery::UserCommand &command)
{
    const UserCommandMessage message{command};
    if (isGateway()) {
        broadcast(message);
    } else {
        sendToRegion(message);
    }
}

void ClusterNode::replicate(const RemotePublication &sequenced, bool cross)
{
    const QString &region = m_table.self().region;
    const QByteArray frame = peerFrame(sequenced);
    for (const MemberRecord &member : m_table.live()) {
        if (member.region == region) {
            sendPublication(member.id, frame);
        }
    }
    if (!cross) {
        return;
    }
    const QSet<QString> regions = otherRegionsOf(
            m_broker.interestedNodes(sequenced.appId, sequenced.publication.channel));
    if (regions.isEmpty()) {
        return;
    }
    // The other regions order it themselves: it travels without this region's offset.
    Broker::Publication unordered = sequenced.publication;
    unordered.offset = 0;
    if (isGateway()) {
        const QByteArray across = crossingFrame(sequenced.appId, unordered);
        for (const QString &target : regions) {
            sendAcross(target, across);
        }
        return;
    }
    RemotePublication viaGateway = RemotePublication::of(sequenced.appId, unordered);
    viaGateway.relayTo = QList<QString>(regions.cbegin(), regions.cend());
    sendPublication(gatewayOf(region), peerFrame(viaGateway));
}

void ClusterNode::routeByInterest(const QString &appId, const Broker::Publication &publication)
{
    const QList<Broker::NodeId> interested = m_broker.interestedNodes(appId, publication.channel);
    if (interested.isEmpty()) {
        return;
    }
    const QString &region = m_table.self().region;
    const QSet<QString> regions = otherRegionsOf(interested);
    Broker::NodeId relayer;
    if (!regions.isEmpty() && isGateway()) {
        const QByteArray across = crossingFrame(appId, publication);
        for (const QString &target : regions) {
            sendAcross(target, across);
        }
    } else if (!regions.isEmpty()) {
        // One message to the gateway, which delivers it if it has subscribers and relays it.
        relayer = gatewayOf(region);
        RemotePublication viaGateway = RemotePublication::of(appId, publication);
        viaGateway.relayTo = QList<QString>(regions.cbegin(), regions.cend());
        sendPublication(relayer, peerFrame(viaGateway));
    }
    // Serialised once for every node of the region that gets the plain copy.
    const QByteArray plain = peerFrame(RemotePublication::of(appId, publication));
    for (const Broker::NodeId &id : interested) {
        if (id != relayer && regionOf(id) == region) {
            sendPublication(id, plain);
        }
    }
}

void ClusterNode::checkSequencer()
{
    const Broker::NodeId current = sequencerOf(m_table.self().region);
    if (current != m_sequencer) {
        const Broker::NodeId previous = std::exchange(m_sequencer, current);
        const auto before = m_table.find(previous);
        if (current == m_table.self().id && before && before->state == MemberState::Dead) {
            // What the failed sequencer sent last may have reached only some nodes, so the
            // offsets it handed out cannot be continued safely.
            m_broker.dropHistories();
            qCWarning(lcCluster) << "took over ordering from failed member" << previous
                                 << "; history streams start again under new epochs";
        }
        qCInfo(lcCluster) << "region" << m_table.self().region << "is ordered by" << current;
        m_orderedFrom.clear();
    }
    sendAwaiting();
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

QList<ClusterNode::LinkView> ClusterNode::links() const
{
    QList<LinkView> views;
    for (auto it = m_links.cbegin(); it != m_links.cend(); ++it) {
        views.append({it.key(), m_roundTripUs.value(it.key(), -1)});
    }
    return views;
}

void ClusterNode::publishStatus(const QByteArray &status)
{
    if (!m_left) {
        broadcast(NodeStatusMessage{m_table.self().id, ++m_statusVersion, status});
    }
}

void ClusterNode::announceApps(const QList<Apps::ManagedApp> &apps)
{
    m_managedApps = apps;
    broadcast(ManagedAppsMessage{apps});
}

bool ClusterNode::sendAdmin(const Broker::NodeId &to,
                            quint64 id,
                            bool answer,
                            const QByteArray &body)
{
    PeerLink *link = m_left ? nullptr : routeTo(to);
    if (!link) {
        return false;
    }
    link->send(AdminRelay{m_table.self().id, to, id, answer, body, 0});
    return true;
}

PeerLink *ClusterNode::routeTo(const Broker::NodeId &to) const
{
    if (PeerLink *direct = m_links.value(to)) {
        return direct;
    }
    const QString region = regionOf(to);
    if (region.isEmpty() || region == m_table.self().region) {
        return nullptr;
    }
    return m_links.value(isGateway() ? gatewayOf(region) : gatewayOf(m_table.self().region));
}

void ClusterNode::broadcast(const PeerMessage &message)
{
    // A node alone encodes nothing: each first subscriber of a channel announces it.
    if (m_links.isEmpty()) {
        return;
    }
    const QByteArray frame = peerFrame(message);
    for (PeerLink *link : std::as_const(m_links)) {
        link->sendFrame(frame);
    }
}

void ClusterNode::sendToRegion(const PeerMessage &message)
{
    if (m_links.isEmpty()) {
        return;
    }
    const QByteArray frame = peerFrame(message);
    for (PeerLink *link : std::as_const(m_links)) {
        if (!isGatewayLink(link)) {
            link->sendFrame(frame);
        }
    }
}

void ClusterNode::sendToGateways(const PeerMessage &message)
{
    if (m_links.isEmpty()) {
        return;
    }
    const QByteArray frame = peerFrame(message);
    for (PeerLink *link : std::as_const(m_links)) {
        if (isGatewayLink(link)) {
            link->sendFrame(frame);
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

Broker::NodeId ClusterNode::sequencerOf(const QString &region) const
{
    std::optional<MemberRecord> oldest;
    for (const MemberRecord &member : m_table.all()) {
        if (member.region != region || !isLive(member.state) || !isProven(member.id)) {
            continue;
        }
        if (!oldest
            || std::pair(member.startedMs, member.id) < std::pair(oldest->startedMs, oldest->id)) {
            oldest = member;
        }
    }
    return oldest ? oldest->id : Broker::NodeId();
}

Broker::NodeId ClusterNode::gatewayOf(const QString &region) const
{
    // Members of other regions cannot all be proven from here; a false one among them is
    // probed as a gateway peer and found dead.
    const bool ownRegion = region == m_table.self().region;
    Broker::NodeId gateway;
    for (const MemberRecord &member : m_table.all()) {
        if (member.region == region && isLive(member.state) && (!ownRegion || isProven(member.id))
            && (gateway.isEmpty() || member.id < gateway)) {
            gateway = member.id;
        }
    }
    return gateway;
}

bool ClusterNode::isProven(const Broker::NodeId &id) const
{
    return id == m_table.self().id || m_everLinked.contains(id);
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
    for (auto it = m_goneSinceMs.begin(); it != m_goneSinceMs.end();) {
        if (now - it.value() > RedialGoneMs) {
            m_table.forget(it.key());
            m_everLinked.remove(it.key());
            it = m_goneSinceMs.erase(it);
        } else {
            ++it;
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
