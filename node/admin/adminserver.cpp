#include "adminserver.h"

#include "adminerrors.h"
#include "adminsession.h"

#include <common/crypto/digest.h>
#include <node/cluster/cluster.h>
#include <node/logging.h>
#include <node/transport/ioworker.h>

#include <QDateTime>
#include <QWebSocket>
#include <QWebSocketServer>

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int TickMs = 1000;
// A node that has not reported for this long is shown without its figures and links.
constexpr qint64 StatusFreshMs = 5000;
constexpr qsizetype MaxSessions = 64;
constexpr int CloseTryAgainLater = 1013;

QString tailKey(const QString &appId, const QString &channel)
{
    return appId + u'\n' + channel;
}

} // namespace

AdminServer::AdminServer(AdminDependencies dependencies, QObject *parent)
    : QObject(parent)
    , m_deps(std::move(dependencies))
    , m_keyring(m_deps.keys)
    , m_audit(m_deps.commands.settings.dataDir)
    , m_sampler(*m_deps.metrics)
    , m_listener(new QWebSocketServer(u"dnotifier-admin"_s, QWebSocketServer::SecureMode, this))
{
    m_listener->setSslConfiguration(m_deps.tls.serverConfiguration());
    connect(m_listener, &QWebSocketServer::newConnection, this, &AdminServer::onNewConnection);
    connect(m_listener, &QWebSocketServer::peerVerifyError, this, [](const QSslError &error) {
        qCInfo(lcAdmin) << "admin TLS handshake failed:" << error.errorString();
    });
    m_tick.setInterval(TickMs);
    connect(&m_tick, &QTimer::timeout, this, &AdminServer::tick);
}

AdminServer::~AdminServer()
{
    // Sessions reach back into the server while they go.
    qDeleteAll(m_sessions);
}

Result<void> AdminServer::listen(const QHostAddress &host, quint16 port)
{
    if (!m_listener->listen(host, port)) {
        return Error{0, u"Cannot listen for the admin channel on %1:%2: %3"_s.arg(host.toString())
                                .arg(port)
                                .arg(m_listener->errorString())};
    }
    if (!host.isLoopback()) {
        qCWarning(lcAdmin) << "the admin channel listens on" << host.toString()
                           << "which is not loopback: anyone who can reach it may try keys; "
                              "prefer an SSH tunnel to 127.0.0.1";
    }
    m_sampler.sample(QDateTime::currentMSecsSinceEpoch());
    m_tick.start();
    return {};
}

quint16 AdminServer::port() const
{
    return m_listener->serverPort();
}

QString AdminServer::fingerprint() const
{
    return Crypto::fingerprintText(m_deps.tls.certificate.digest(QCryptographicHash::Sha256));
}

void AdminServer::onNewConnection()
{
    while (m_listener->hasPendingConnections()) {
        QWebSocket *socket = m_listener->nextPendingConnection();
        if (m_sessions.size() >= MaxSessions) {
            socket->setParent(this);
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            socket->close(QWebSocketProtocol::CloseCode(CloseTryAgainLater),
                          u"too many admin connections"_s);
            continue;
        }
        auto *session = new AdminSession(socket, *this, this);
        m_sessions.append(session);
        connect(session, &AdminSession::finished, this, [this](AdminSession *done) {
            m_sessions.removeOne(done);
            done->deleteLater();
        });
    }
}

void AdminServer::accepted(const QString &appId, const Broker::Publication &publication)
{
    m_sampler.countPublication(appId, publication.channel);
}

void AdminServer::delivered(const QString &appId, const Broker::Publication &publication)
{
    if (m_tails.isEmpty()) {
        return;
    }
    const QList<TailRef> tails = m_tails.values(tailKey(appId, publication.channel));
    if (tails.isEmpty()) {
        return;
    }
    const QJsonObject entry{{"at"_L1, publication.createdMs},
                            {"event"_L1, publication.event},
                            {"data"_L1, QString::fromUtf8(publication.data)},
                            {"origin"_L1, publication.origin == Broker::Origin::Client ? u"client"_s
                                                                                       : u"api"_s}};
    for (const TailRef &tail : tails) {
        tail.session->tailPublication(tail.stream, entry);
    }
}

Result<Config::AdminKey> AdminServer::login(const QString &address,
                                            const QByteArray &key,
                                            const QString &client)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_limiter.retryAfterMs(address, now) > 0) {
        return adminError(ErrorCode::RateLimited,
                          u"too many failed logins from this address; try again later"_s);
    }
    const std::optional<Config::AdminKey> matched = m_keyring.match(key);
    if (!matched) {
        m_limiter.recordFailure(address, now);
        qCWarning(lcAdmin) << "admin login refused from" << address;
        m_audit.append({QString(), QString(), address, u"hello"_s,
                        QJsonObject{{"client"_L1, client}},
                        errorName(int(ErrorCode::Unauthorized))});
        return adminError(ErrorCode::Unauthorized, u"wrong admin key"_s);
    }
    m_limiter.recordSuccess(address);
    qCInfo(lcAdmin) << "admin login from" << address << "key=" << matched->name
                    << "role=" << roleName(matched->role);
    return *matched;
}

qint64 AdminServer::retryAfterMs(const QString &address) const
{
    return m_limiter.retryAfterMs(address, QDateTime::currentMSecsSinceEpoch());
}

QJsonObject AdminServer::helloResult(const Config::AdminKey &key, int protocol) const
{
    QJsonObject node{{"id"_L1, m_deps.cluster->nodeId()},
                     {"version"_L1, QStringLiteral(DNOTIFIER_VERSION)}};
    for (const Cluster::MemberRecord &member : m_deps.cluster->members()) {
        if (member.id == m_deps.cluster->nodeId()) {
            node.insert("name"_L1, member.name);
            node.insert("region"_L1, member.region);
        }
    }
    return {{"protocol"_L1, protocol},
            {"role"_L1, roleName(key.role)},
            {"key_name"_L1, key.name},
            {"node"_L1, node},
            {"cluster"_L1, QJsonObject{{"id"_L1, m_deps.clusterId}}}};
}

Result<StreamView> AdminServer::streamView(const QString &kind, const QJsonObject &params) const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    StreamView view;
    if (kind == "topology"_L1) {
        const ClusterSnapshot cluster = snapshot();
        view.collections.insert(u"nodes"_s, keyedItems(topologyNodes(cluster, now)));
        view.collections.insert(u"links"_s, keyedItems(topologyLinks(cluster)));
        return view;
    }
    if (kind == "traffic"_L1) {
        view.fields = trafficSample(snapshot(), now);
        return view;
    }
    if (kind == "channels"_L1) {
        const Result<ListQuery> query = listQuery(params, ChannelSorts);
        if (!query) {
            return query.error();
        }
        QStringList appIds;
        for (const Config::AppSettings &app : m_deps.commands.apps->apps()) {
            appIds.append(app.id);
        }
        const ListPage page =
                channelPage(*m_deps.broker, appIds, clusterChannelRates(snapshot()), *query);
        view.collections.insert(u"channels"_s, keyedItems(page.items));
        view.fields.insert("total"_L1, page.total);
        return view;
    }
    if (kind == "connections"_L1) {
        const Result<ListQuery> query = listQuery(params, ConnectionSorts);
        if (!query) {
            return query.error();
        }
        const ListPage page = connectionPage(connectionRows(), m_deps.cluster->nodeId(), *query);
        view.collections.insert(u"connections"_s, keyedItems(page.items));
        view.fields.insert("total"_L1, page.total);
        return view;
    }
    // A tail: the channel must name an app this node serves.
    const QString appId = params.value("app"_L1).toString();
    const QString channel = params.value("channel"_L1).toString();
    if (channel.isEmpty() || channel.size() > 1024) {
        return adminError(ErrorCode::BadRequest, u"a tail needs \"app\" and \"channel\""_s);
    }
    if (!m_deps.commands.apps->byId(appId)) {
        return adminError(ErrorCode::NotFound, u"no app with id \"%1\""_s.arg(appId.left(64)));
    }
    view.fields = {{"app"_L1, appId}, {"channel"_L1, channel}};
    return view;
}

Result<QJsonObject> AdminServer::command(const Config::AdminKey &key,
                                         const QString &address,
                                         const QString &method,
                                         const QJsonObject &params)
{
    if (!isCommand(method)) {
        return adminError(ErrorCode::UnknownMethod,
                          u"unknown method \"%1\""_s.arg(method.left(64)));
    }
    const AuditEntry audit{key.name,
                           roleName(key.role),
                           address,
                           method,
                           auditedParams(method, params),
                           QString()};
    auto record = [this, &audit](const QString &outcome) {
        AuditEntry entry = audit;
        entry.outcome = outcome;
        m_audit.append(entry);
    };
    if (key.role != Config::AdminRole::Admin) {
        record(errorName(int(ErrorCode::Forbidden)));
        return adminError(ErrorCode::Forbidden, u"the read-only role cannot run %1"_s.arg(method));
    }
    const Result<QJsonObject> result = runCommand(m_deps.commands, method, params);
    record(result ? u"ok"_s : errorName(result.error().code));
    if (result) {
        qCInfo(lcAdmin) << "admin command" << method << "by" << key.name << "from" << address;
    }
    return result;
}

void AdminServer::addTail(AdminSession *session, int stream, const QJsonObject &params)
{
    m_tails.insert(tailKey(params.value("app"_L1).toString(),
                           params.value("channel"_L1).toString()),
                   {session, stream});
}

void AdminServer::removeTail(AdminSession *session, int stream)
{
    m_tails.removeIf([session, stream](const auto &entry) {
        return entry.value().session == session && entry.value().stream == stream;
    });
}

void AdminServer::removeTails(AdminSession *session)
{
    m_tails.removeIf([session](const auto &entry) { return entry.value().session == session; });
}

void AdminServer::tick()
{
    m_sampler.sample(QDateTime::currentMSecsSinceEpoch());
    m_deps.cluster->publishStatus(encodeNodeStatus(ownStatus()));
    if (!m_sessions.isEmpty()) {
        gatherConnectionFacts();
    }
    for (AdminSession *session : std::as_const(m_sessions)) {
        session->refresh();
    }
}

void AdminServer::gatherConnectionFacts()
{
    for (qsizetype i = 0; i < m_deps.workers.size(); ++i) {
        Transport::IoWorker *worker = m_deps.workers.at(i);
        QPointer<AdminServer> self(this);
        QMetaObject::invokeMethod(worker, [worker, self, index = int(i)] {
            QList<Transport::ConnectionFacts> facts = worker->connectionFacts();
            QMetaObject::invokeMethod(self.data(), [self, index, facts = std::move(facts)] {
                if (self) {
                    self->m_facts.insert(index, facts);
                }
            });
        });
    }
}

NodeStatus AdminServer::ownStatus() const
{
    NodeStatus status;
    status.id = m_deps.cluster->nodeId();
    status.version = QStringLiteral(DNOTIFIER_VERSION);
    status.startedMs = m_deps.startedMs;
    status.draining = m_draining;
    status.traffic = m_sampler.traffic();
    for (const Cluster::ClusterNode::LinkView &link : m_deps.cluster->links()) {
        status.links.append({link.peer, link.roundTripUs});
    }
    status.channels = m_sampler.busiestChannels(MaxStatusChannels);
    return status;
}

ClusterSnapshot AdminServer::snapshot() const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    ClusterSnapshot cluster;
    cluster.selfId = m_deps.cluster->nodeId();
    cluster.members = m_deps.cluster->members();
    cluster.statuses.insert(cluster.selfId, ownStatus());
    const auto peers = m_deps.cluster->peerStatuses();
    for (auto it = peers.cbegin(); it != peers.cend(); ++it) {
        if (now - it->receivedMs > StatusFreshMs) {
            continue;
        }
        if (std::optional<NodeStatus> status = decodeNodeStatus(it->status);
            status && status->id == it.key()) {
            cluster.statuses.insert(it.key(), *status);
        }
    }
    const Cluster::ClusterNode *clusterNode = m_deps.cluster;
    cluster.isGateway = [clusterNode](const QString &id) { return clusterNode->isGatewayNode(id); };
    return cluster;
}

QList<ConnectionRow> AdminServer::connectionRows() const
{
    QList<ConnectionRow> rows;
    for (const QList<Transport::ConnectionFacts> &facts : m_facts) {
        for (const Transport::ConnectionFacts &fact : facts) {
            if (!m_deps.broker->hasConnection(fact.id)) {
                continue;
            }
            rows.append({fact, m_deps.userOf(fact.id), m_deps.broker->subscriptionCount(fact.id)});
        }
    }
    return rows;
}

} // namespace DNotifier::Admin
