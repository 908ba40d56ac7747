#include "adminserver.h"

#include "adminerrors.h"
#include "adminsession.h"

#include <common/crypto/digest.h>
#include <node/cluster/cluster.h>
#include <node/logging.h>
#include <node/transport/ioworker.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSslServer>
#include <QSslSocket>
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
constexpr int CloseUnknownPath = 4004;
// For the TLS handshake, and again for the WebSocket upgrade that follows it.
constexpr int HandshakeTimeoutMs = 10'000;
// A tail lease lives this long unless renewed; the tailing node renews it every second.
constexpr qint64 TailLeaseMs = 3000;
// Publications a node sends another for one tail each second at most (as a tail shows).
constexpr int MaxTailPerSecond = 100;
// How long another node has to answer a request.
constexpr qint64 AnswerTimeoutMs = 5000;
// Connections one node lists for another at most: a page reaches at most this far.
constexpr int MaxRemoteRows = 1000;

QString tailKey(const QString &appId, const QString &channel)
{
    return appId + u'\n' + channel;
}

int remoteRowCap(const ListQuery &query)
{
    return qMin(query.offset + query.limit, MaxRemoteRows);
}

QString remoteListKey(const ListQuery &query)
{
    return query.app + u'\n' + query.filter + u'\n' + QString::number(remoteRowCap(query));
}

} // namespace

AdminServer::AdminServer(AdminDependencies dependencies, QObject *parent)
    : QObject(parent)
    , m_deps(std::move(dependencies))
    , m_keyring(m_deps.storedKeys + m_deps.configuredKeys)
    , m_storedKeys(m_deps.storedKeys)
    , m_audit(m_deps.commands.settings.dataDir)
    , m_sampler(*m_deps.metrics)
    , m_listener(new QSslServer(this))
    , m_upgrader(new QWebSocketServer(u"dnotifier-admin"_s, QWebSocketServer::NonSecureMode, this))
{
    m_listener->setSslConfiguration(m_deps.tls.serverConfiguration());
    m_listener->setHandshakeTimeout(HandshakeTimeoutMs);
    connect(m_listener, &QSslServer::pendingConnectionAvailable, this, &AdminServer::onEncrypted);
    connect(m_listener, &QSslServer::peerVerifyError, this,
            [](QSslSocket *, const QSslError &error) {
                qCInfo(lcAdmin) << "admin TLS handshake failed:" << error.errorString();
            });
    connect(m_upgrader, &QWebSocketServer::newConnection, this, &AdminServer::onNewConnection);
    m_tick.setInterval(TickMs);
    connect(&m_tick, &QTimer::timeout, this, &AdminServer::tick);
    connect(m_deps.cluster, &Cluster::ClusterNode::adminReceived, this,
            &AdminServer::onAdminReceived);
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

void AdminServer::setConfiguredKeys(const QList<Config::AdminKey> &keys)
{
    m_keyring = AdminKeyring(m_storedKeys + keys);
}

quint16 AdminServer::port() const
{
    return m_listener->serverPort();
}

QString AdminServer::fingerprint() const
{
    return Crypto::fingerprintText(m_deps.tls.certificate.digest(QCryptographicHash::Sha256));
}

void AdminServer::onEncrypted()
{
    while (m_listener->hasPendingConnections()) {
        auto *transport = qobject_cast<QSslSocket *>(m_listener->nextPendingConnection());
        if (!transport) {
            continue;
        }
        transport->setParent(this);
        const auto peer = qMakePair(transport->peerAddress().toString(), transport->peerPort());
        m_upgrading.insert(peer, transport);
        connect(transport, &QObject::destroyed, this, [this, peer] { m_upgrading.remove(peer); });
        // QWebSocketServer times out only the handshakes it accepted itself.
        QTimer::singleShot(HandshakeTimeoutMs, transport, [this, peer, transport] {
            if (m_upgrading.value(peer) == transport) {
                transport->abort();
                transport->deleteLater();
            }
        });
        m_upgrader->handleConnection(transport);
    }
}

void AdminServer::onNewConnection()
{
    while (m_upgrader->hasPendingConnections()) {
        QWebSocket *socket = m_upgrader->nextPendingConnection();
        QSslSocket *transport =
                m_upgrading.take(qMakePair(socket->peerAddress().toString(), socket->peerPort()));
        if (!transport) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        const bool known = socket->requestUrl().path() == "/admin"_L1;
        if (!known || m_sessions.size() >= MaxSessions) {
            // The WebSocket uses its transport until it is gone, so it owns it until then.
            socket->setParent(this);
            transport->setParent(socket);
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            socket->close(QWebSocketProtocol::CloseCode(known ? CloseTryAgainLater
                                                              : CloseUnknownPath),
                          known ? u"too many admin connections"_s
                                : u"the admin channel is at /admin"_s);
            continue;
        }
        auto *session = new AdminSession(socket, transport, *this, this);
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
    if (m_tails.isEmpty() && m_leases.isEmpty()) {
        return;
    }
    const QJsonObject entry{{"at"_L1, publication.createdMs},
                            {"event"_L1, publication.event},
                            {"data"_L1, QString::fromUtf8(publication.data)},
                            {"origin"_L1,
                             publication.origin == Broker::Origin::Client ? u"client"_s : u"api"_s},
                            {"node"_L1, m_deps.cluster->nodeId()}};
    showTail(appId, publication.channel, entry);
    sendToLeases(appId, publication.channel, entry);
}

void AdminServer::showTail(const QString &appId, const QString &channel, const QJsonObject &entry)
{
    for (const TailRef &tail : m_tails.values(tailKey(appId, channel))) {
        tail.session->tailPublication(tail.stream, entry);
    }
}

void AdminServer::sendToLeases(const QString &appId,
                               const QString &channel,
                               const QJsonObject &entry)
{
    for (TailLease &lease : m_leases) {
        if (lease.app != appId || lease.channel != channel) {
            continue;
        }
        // The tail shows at most that many a second anyway; the rest is only counted.
        if (lease.sent >= MaxTailPerSecond) {
            ++lease.dropped;
            continue;
        }
        ++lease.sent;
        const QJsonObject tailed{{"kind"_L1, u"tailed"_s},
                                 {"app"_L1, appId},
                                 {"channel"_L1, channel},
                                 {"entry"_L1, entry}};
        m_deps.cluster->sendAdmin(lease.node, 0, false,
                                  QJsonDocument(tailed).toJson(QJsonDocument::Compact));
    }
}

void AdminServer::renewTailLeases()
{
    QSet<QString> tailed;
    for (auto it = m_tails.cbegin(); it != m_tails.cend(); ++it) {
        tailed.insert(it.key());
    }
    for (const QString &key : std::as_const(tailed)) {
        const qsizetype split = key.indexOf(u'\n');
        const QJsonObject request{{"kind"_L1, u"tail"_s},
                                  {"app"_L1, key.left(split)},
                                  {"channel"_L1, key.mid(split + 1)}};
        const QByteArray body = QJsonDocument(request).toJson(QJsonDocument::Compact);
        for (const Cluster::MemberRecord &member : m_deps.cluster->members()) {
            if (member.id != m_deps.cluster->nodeId() && Cluster::isLive(member.state)) {
                m_deps.cluster->sendAdmin(member.id, 0, false, body);
            }
        }
    }
}

Result<void> AdminServer::knownApp(const QString &appId) const
{
    if (!appId.isEmpty() && !m_deps.commands.apps->byId(appId)) {
        return adminError(ErrorCode::NotFound, u"no app with id \"%1\""_s.arg(appId.left(64)));
    }
    return {};
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
        if (const Result<void> known = knownApp(query->app); !known) {
            return known.error();
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
        if (const Result<void> known = knownApp(query->app); !known) {
            return known.error();
        }
        QList<QJsonObject> items =
                connectionItems(connectionRows(), m_deps.cluster->nodeId(), *query);
        int total = int(items.size());
        const QHash<QString, RemoteList> remote = m_remoteConnections.value(remoteListKey(*query));
        // A node that stopped answering drops out once its last answer is stale.
        for (auto it = remote.cbegin(); it != remote.cend(); ++it) {
            if (now - it->receivedMs <= StatusFreshMs) {
                items += it->items;
                total += it->total;
            }
        }
        const ListPage page = connectionPage(std::move(items), total, *query);
        view.collections.insert(u"connections"_s, keyedItems(page.items));
        view.fields.insert("total"_L1, page.total);
        return view;
    }
    // A tail: the channel must name an app this node serves.
    const QJsonValue app = params.value("app"_L1);
    const QString appId = app.toString();
    const QString channel = params.value("channel"_L1).toString();
    if (!app.isString() || channel.isEmpty() || channel.size() > 1024) {
        return adminError(ErrorCode::BadRequest,
                          u"a tail needs \"app\" and \"channel\" as strings"_s);
    }
    if (!m_deps.commands.apps->byId(appId)) {
        return adminError(ErrorCode::NotFound, u"no app with id \"%1\""_s.arg(appId.left(64)));
    }
    view.fields = {{"app"_L1, appId}, {"channel"_L1, channel}};
    return view;
}

void AdminServer::command(const Config::AdminKey &key,
                          const QString &address,
                          const QString &method,
                          const QJsonObject &params,
                          std::function<void(const Result<QJsonObject> &)> done)
{
    if (!isCommand(method)) {
        done(adminError(ErrorCode::UnknownMethod, u"unknown method \"%1\""_s.arg(method.left(64))));
        return;
    }
    AuditEntry audit{key.name, roleName(key.role), address, method, auditedParams(method, params),
                     QString()};
    auto finish = [this, audit, done = std::move(done)](const Result<QJsonObject> &result) mutable {
        audit.outcome = result ? u"ok"_s : errorName(result.error().code);
        m_audit.append(audit);
        if (result) {
            qCInfo(lcAdmin) << "admin command" << audit.method << "by" << audit.keyName << "from"
                            << audit.address;
        }
        done(result);
    };
    if (key.role != Config::AdminRole::Admin) {
        finish(adminError(ErrorCode::Forbidden, u"the read-only role cannot run %1"_s.arg(method)));
        return;
    }
    const QJsonValue node = params.value("node"_L1);
    if (method == "kick"_L1 && !node.isUndefined()
        && node != QJsonValue(m_deps.cluster->nodeId())) {
        if (!node.isString() || !params.value("connection"_L1).isString()) {
            finish(adminError(ErrorCode::BadRequest,
                              u"\"node\" and \"connection\" must be strings"_s));
            return;
        }
        kickOnNode(node.toString(), params.value("connection"_L1).toString(), std::move(finish));
        return;
    }
    finish(runCommand(m_deps.commands, method, params));
}

void AdminServer::kickOnNode(const QString &node,
                             const QString &connection,
                             std::function<void(const Result<QJsonObject> &)> done)
{
    auto shared =
            std::make_shared<std::function<void(const Result<QJsonObject> &)>>(std::move(done));
    ask(
            node, {{"kind"_L1, u"kick"_s}, {"connection"_L1, connection}},
            [shared, connection, node](const QJsonObject &answer) {
                if (answer.value("kicked"_L1).toBool()) {
                    (*shared)(QJsonObject{});
                } else {
                    (*shared)(
                            adminError(ErrorCode::NotFound,
                                       u"no connection \"%1\" on node %2"_s.arg(connection.left(64),
                                                                                node.left(64))));
                }
            },
            [shared, node] {
                (*shared)(adminError(ErrorCode::Failed,
                                     u"node %1 cannot be reached or did not answer"_s.arg(
                                             node.left(64))));
            });
}

void AdminServer::ask(const QString &node,
                      const QJsonObject &request,
                      std::function<void(const QJsonObject &)> onAnswer,
                      std::function<void()> onNoAnswer)
{
    const quint64 id = ++m_lastRequest;
    const QByteArray body = QJsonDocument(request).toJson(QJsonDocument::Compact);
    if (!m_deps.cluster->sendAdmin(node, id, false, body)) {
        onNoAnswer();
        return;
    }
    m_pending.insert(id, {QDateTime::currentMSecsSinceEpoch(), std::move(onAnswer),
                          std::move(onNoAnswer)});
}

void AdminServer::onAdminReceived(const QString &from,
                                  quint64 id,
                                  bool isAnswer,
                                  const QByteArray &body)
{
    const QJsonObject message = QJsonDocument::fromJson(body).object();
    const QString kind = message.value("kind"_L1).toString();
    if (!isAnswer && kind == "tail"_L1) {
        const QString app = message.value("app"_L1).toString();
        const QString channel = message.value("channel"_L1).toString();
        TailLease &lease = m_leases[from + u'\n' + tailKey(app, channel)];
        lease.node = from;
        lease.app = app;
        lease.channel = channel;
        lease.expiresMs = QDateTime::currentMSecsSinceEpoch() + TailLeaseMs;
        return;
    }
    if (!isAnswer && kind == "tailed"_L1) {
        showTail(message.value("app"_L1).toString(), message.value("channel"_L1).toString(),
                 message.value("entry"_L1).toObject());
        return;
    }
    if (!isAnswer) {
        m_deps.cluster->sendAdmin(from, id, true,
                                  QJsonDocument(answer(message)).toJson(QJsonDocument::Compact));
        return;
    }
    const auto pending = m_pending.find(id);
    if (pending != m_pending.end()) {
        const PendingRequest request = pending.value();
        m_pending.erase(pending);
        request.onAnswer(message);
    }
}

QJsonObject AdminServer::answer(const QJsonObject &request)
{
    const QString kind = request.value("kind"_L1).toString();
    if (kind == "kick"_L1) {
        bool numeric = false;
        const quint64 connection = request.value("connection"_L1).toString().toULongLong(&numeric);
        return {{"kicked"_L1, numeric && m_deps.commands.kick(connection)}};
    }
    if (kind == "connections"_L1) {
        m_lastAskedMs = QDateTime::currentMSecsSinceEpoch();
        ListQuery query;
        query.app = request.value("app"_L1).toString();
        query.filter = request.value("filter"_L1).toString();
        const int limit = qBound(0, request.value("limit"_L1).toInt(), MaxRemoteRows);
        const QList<QJsonObject> items =
                connectionItems(connectionRows(), m_deps.cluster->nodeId(), query);
        QJsonArray page;
        for (const QJsonObject &item : items.mid(0, limit)) {
            page.append(item);
        }
        return {{"total"_L1, int(items.size())}, {"items"_L1, page}};
    }
    return {{"error"_L1, u"unknown request"_s}};
}

void AdminServer::askForConnections()
{
    QSet<QString> asked;
    for (AdminSession *session : std::as_const(m_sessions)) {
        for (const QJsonObject &params : session->streamParams(u"connections"_s)) {
            const Result<ListQuery> query = listQuery(params, ConnectionSorts);
            if (!query || asked.contains(remoteListKey(*query))) {
                continue;
            }
            const QString key = remoteListKey(*query);
            asked.insert(key);
            const QJsonObject request{{"kind"_L1, u"connections"_s},
                                      {"app"_L1, query->app},
                                      {"filter"_L1, query->filter},
                                      {"limit"_L1, remoteRowCap(*query)}};
            for (const Cluster::MemberRecord &member : m_deps.cluster->members()) {
                if (member.id == m_deps.cluster->nodeId() || !Cluster::isLive(member.state)) {
                    continue;
                }
                const QString node = member.id;
                ask(
                        node, request,
                        [this, key, node](const QJsonObject &answer) {
                            RemoteList list;
                            for (const QJsonValue &item : answer.value("items"_L1).toArray()) {
                                list.items.append(item.toObject());
                            }
                            list.total = answer.value("total"_L1).toInt();
                            list.receivedMs = QDateTime::currentMSecsSinceEpoch();
                            m_remoteConnections[key].insert(node, list);
                        },
                        [] {});
            }
        }
    }
    // Shares of queries no stream asks for any more are dropped.
    m_remoteConnections.removeIf(
            [&asked](const auto &entry) { return !asked.contains(entry.key()); });
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
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_sampler.sample(now);
    QList<std::function<void()>> unanswered;
    m_pending.removeIf([now, &unanswered](const auto &entry) {
        if (now - entry.value().sentMs < AnswerTimeoutMs) {
            return false;
        }
        unanswered.append(entry.value().onNoAnswer);
        return true;
    });
    for (const std::function<void()> &noAnswer : std::as_const(unanswered)) {
        noAnswer();
    }
    askForConnections();
    renewTailLeases();
    m_leases.removeIf([now](const auto &entry) { return entry.value().expiresMs < now; });
    for (TailLease &lease : m_leases) {
        if (lease.dropped > 0) {
            const QJsonObject tailed{{"kind"_L1, u"tailed"_s},
                                     {"app"_L1, lease.app},
                                     {"channel"_L1, lease.channel},
                                     {"entry"_L1, QJsonObject{{"dropped"_L1, lease.dropped}}}};
            m_deps.cluster->sendAdmin(lease.node, 0, false,
                                      QJsonDocument(tailed).toJson(QJsonDocument::Compact));
        }
        lease.sent = 0;
        lease.dropped = 0;
    }
    m_deps.cluster->publishStatus(encodeNodeStatus(ownStatus()));
    // Facts are gathered only while someone looks: a console here, or another node's.
    if (!m_sessions.isEmpty() || now - m_lastAskedMs < AnswerTimeoutMs) {
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
        // Queued both ways also for the worker on this thread, which answers like the others.
        QMetaObject::invokeMethod(
                worker,
                [worker, self, index = int(i)] {
                    QList<Transport::ConnectionFacts> facts = worker->connectionFacts();
                    QMetaObject::invokeMethod(
                            self.data(),
                            [self, index, facts = std::move(facts)] {
                                if (self) {
                                    self->m_facts.insert(index, facts);
                                }
                            },
                            Qt::QueuedConnection);
                },
                Qt::QueuedConnection);
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
