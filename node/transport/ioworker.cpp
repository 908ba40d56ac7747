#include "ioworker.h"

#include "acceptedstream.h"

#include <node/centrifuge/hub.h>
#include <node/centrifuge/serverapi.h>
#include <node/logging.h>
#include <node/pusher/frames.h>
#include <node/pusher/httpapi.h>
#include <node/pusher/hub.h>
#include <node/websocket/handshake.h>

#include <QDateTime>

#include <atomic>

namespace DNotifier::Transport {

using namespace Qt::Literals::StringLiterals;

namespace {

// Pusher protocol versions that pusher-js and the native SDKs still speak.
constexpr int MinProtocol = 5;
constexpr int MaxProtocol = 7;
const QLatin1StringView CentrifugePath("/connection/websocket");
// Pusher clients reconnect at once after a 4200 close, which is what a restart needs.
constexpr int ShutdownCloseCode = 4200;

std::atomic<quint64> s_connectionSerial{1};

} // namespace

IoWorker::IoWorker(int index, const WorkerContext &context)
    : m_index(index)
    , m_context(context)
    , m_api(std::make_unique<Pusher::HttpApi>(context.apps, context.hub))
    , m_serverApi(std::make_unique<Centrifuge::ServerApi>(context.apps, context.centrifugeHub))
{
    // The worker is built on the main thread and then moved: parented, the timer moves with it,
    // so it fires and is destroyed on the worker's thread.
    m_sweepTimer.setParent(this);
    m_sweepTimer.setInterval(1000);
    connect(&m_sweepTimer, &QTimer::timeout, this, &IoWorker::sweep);
    m_sweepTimer.start();
}

IoWorker::~IoWorker()
{
    qDeleteAll(std::exchange(m_sessions, {}));
    qDeleteAll(std::exchange(m_centrifugeSessions, {}));
    qDeleteAll(std::exchange(m_http, {}));
}

void IoWorker::adopt(qintptr descriptor)
{
    ByteStream *stream = acceptedStream(int(descriptor), m_context.tls, m_context.budget);
    if (!stream) {
        return;
    }
    Http::ConnectionLimits limits;
    limits.maxBodyBytes = m_context.settings.maxHttpBodyBytes;
    limits.firstRequestTimeoutMs = m_context.settings.handshakeTimeoutSeconds * 1000;
    // HTTP connections draw from the same serials; their ids never reach the broker.
    const quint64 id = nextId(Broker::Protocol::Pusher);
    // Connections are not the worker's QObject children: a parent finds a child it loses by a
    // linear search, which with twenty thousand connections slowed every upgrade and close.
    // The worker's tables own them.
    auto *connection = new Http::HttpConnection(stream, id, limits, nullptr);
    m_http.insert(id, connection);
    connect(connection, &Http::HttpConnection::requestReceived, this, &IoWorker::onRequest);
    connect(connection, &Http::HttpConnection::upgradeRequested, this, &IoWorker::startUpgrade);
    connect(connection, &Http::HttpConnection::finished, this, [this](quint64 finishedId) {
        if (auto *done = m_http.take(finishedId)) {
            done->deleteLater();
        }
    });
}

void IoWorker::deliver(const QList<Broker::ConnectionId> &recipients, const OutgoingFrame &frame)
{
    for (Broker::ConnectionId id : recipients) {
        if (Broker::protocolOf(id) == Broker::Protocol::Centrifuge) {
            if (Centrifuge::Session *session = m_centrifugeSessions.value(id)) {
                session->send(frame);
            }
        } else if (Pusher::Session *session = m_sessions.value(id)) {
            session->send(frame);
        }
    }
}

Http::Response IoWorker::readiness() const
{
    QStringList reasons;
    if (m_context.metrics && m_context.metrics->draining.load(std::memory_order_relaxed)) {
        reasons.append(u"\"draining\""_s);
    }
    if (m_context.metrics && !m_context.metrics->clusterSynced.load(std::memory_order_relaxed)) {
        reasons.append(u"\"joining the cluster\""_s);
    }
    if (reasons.isEmpty()) {
        return Http::Response::json(200, R"({"status":"ok"})");
    }
    return Http::Response::json(503, R"({"status":"not ready","reasons":[)"
                                             + reasons.join(u',').toUtf8() + "]}");
}

void IoWorker::track(Broker::ConnectionId id, const QString &appId, const QString &address)
{
    m_facts.insert(id, {id, appId, address, QDateTime::currentMSecsSinceEpoch()});
    if (m_context.metrics) {
        m_context.metrics->clientConnections.fetch_add(1, std::memory_order_relaxed);
    }
}

void IoWorker::sessionEnded(Broker::ConnectionId id)
{
    QObject *done = nullptr;
    if (Centrifuge::Session *session = m_centrifugeSessions.take(id)) {
        Centrifuge::Hub *hub = m_context.centrifugeHub;
        QMetaObject::invokeMethod(
                hub, [hub, id] { hub->closeConnection(id); }, Qt::QueuedConnection);
        done = session;
    } else if (Pusher::Session *session = m_sessions.take(id)) {
        Pusher::Hub *hub = m_context.hub;
        QMetaObject::invokeMethod(
                hub, [hub, id] { hub->closeConnection(id); }, Qt::QueuedConnection);
        done = session;
    } else {
        return;
    }
    const ConnectionFacts facts = m_facts.take(id);
    if (m_context.metrics) {
        m_context.metrics->clientConnections.fetch_sub(1, std::memory_order_relaxed);
    }
    m_context.apps->closeConnection(facts.appId);
    m_context.connectionQuota->close(facts.address);
    done->deleteLater();
}

void IoWorker::closeConnection(Broker::ConnectionId id, int code, const QString &reason)
{
    if (Centrifuge::Session *session = m_centrifugeSessions.value(id)) {
        session->close(code, reason);
    } else if (Pusher::Session *session = m_sessions.value(id)) {
        session->close(code, reason);
    }
}

void IoWorker::respond(quint64 httpId, quint64 sequence, const Http::Response &response)
{
    if (Http::HttpConnection *connection = m_http.value(httpId)) {
        connection->respond(sequence, response);
    }
}

void IoWorker::closeAll()
{
    // Copies: a session that closes leaves these tables at once.
    for (Pusher::Session *session : m_sessions.values()) {
        session->close(ShutdownCloseCode, u"Server shutting down"_s);
    }
    for (Centrifuge::Session *session : m_centrifugeSessions.values()) {
        session->close(Centrifuge::DisconnectCode::Shutdown, u"shutdown"_s);
    }
}

void IoWorker::closeApp(const QString &appId)
{
    for (const ConnectionFacts &facts : m_facts.values()) {
        if (facts.appId != appId) {
            continue;
        }
        if (Centrifuge::Session *session = m_centrifugeSessions.value(facts.id)) {
            session->close(Centrifuge::DisconnectCode::ForceDisconnect, u"app disabled"_s);
        } else if (Pusher::Session *session = m_sessions.value(facts.id)) {
            session->sendFrame(Pusher::Frames::error(4003, u"App is disabled"_s));
            session->close(4003, u"App is disabled"_s);
        }
    }
}

Broker::ConnectionId IoWorker::nextId(Broker::Protocol protocol) const
{
    const quint64 serial = s_connectionSerial.fetch_add(1, std::memory_order_relaxed);
    return Broker::connectionId(serial, protocol, m_index);
}

void IoWorker::onRequest(quint64 httpId, const Http::Request &request)
{
    if (request.path == "/livez"_L1 || request.path == "/healthz"_L1) {
        respond(httpId, request.sequence, Http::Response::json(200, R"({"status":"ok"})"));
        return;
    }
    if (request.path == "/readyz"_L1) {
        respond(httpId, request.sequence, readiness());
        return;
    }
    if (request.path == "/metrics"_L1 && m_context.metrics) {
        Http::Response response;
        response.contentType = "text/plain; version=0.0.4; charset=utf-8";
        response.body = Observability::renderMetrics(*m_context.metrics);
        respond(httpId, request.sequence, response);
        return;
    }
    Observability::countClientMessage(m_context.metrics, request.body.size());
    auto reply = [this, httpId, sequence = request.sequence](const Http::Response &response) {
        // Called on the broker thread for answers that needed broker state.
        QMetaObject::invokeMethod(
                this, [this, httpId, sequence, response] { respond(httpId, sequence, response); },
                Qt::QueuedConnection);
    };
    if (Centrifuge::ServerApi::handles(request.path)) {
        m_serverApi->handle(request, reply);
        return;
    }
    m_api->handle(request, reply);
}

void IoWorker::startUpgrade(ByteStream *stream,
                            const Http::Request &request,
                            const QByteArray &alreadyRead)
{
    const Result<QByteArray> answer = WebSocket::upgradeResponse(request);
    if (!answer) {
        qCInfo(lcTransport) << "refusing WebSocket handshake" << answer.error().message;
        stream->write(Http::Response::error(answer.error().code, answer.error().message)
                              .serialise(false));
        stream->closeGracefully();
        return;
    }
    stream->write(*answer);
    auto connection = std::make_unique<WebSocket::Connection>(stream, alreadyRead);
    if (request.path == CentrifugePath) {
        startCentrifugeSession(std::move(connection), request);
    } else if (request.path.startsWith("/app/"_L1)) {
        startPusherSession(std::move(connection), request);
    } else {
        refuse(std::move(connection), 4005, u"Path not found: %1"_s.arg(request.path.left(80)));
    }
}

void IoWorker::startPusherSession(std::unique_ptr<WebSocket::Connection> socket,
                                  const Http::Request &request)
{
    const QString key = request.path.mid(5);
    const Config::AppSettings *app = m_context.apps->byKey(key.toUtf8());
    if (!app) {
        refuse(std::move(socket), 4001, u"App key %1 does not exist"_s.arg(key.left(64)));
        return;
    }
    if (!app->enabled) {
        refuse(std::move(socket), 4003, u"App is disabled"_s);
        return;
    }
    const QString protocolText = QString::fromUtf8(request.queryValue("protocol"));
    bool numeric = false;
    const int protocol = protocolText.toInt(&numeric);
    if (!protocolText.isEmpty() && (!numeric || protocol < MinProtocol || protocol > MaxProtocol)) {
        refuse(std::move(socket), 4007,
               u"Unsupported protocol version %1"_s.arg(protocolText.left(16)));
        return;
    }

    const QString address = request.remoteAddress.toString();
    ConnectionQuota *quota = m_context.connectionQuota;
    switch (quota->tryOpen(address)) {
    case QuotaRefusal::None:
        break;
    case QuotaRefusal::NodeFull:
        refuse(std::move(socket), 4100,
               u"Over capacity: the node holds its maximum of %1 connections"_s.arg(
                       quota->nodeLimit()));
        return;
    case QuotaRefusal::AddressFull:
        refuse(std::move(socket), 4100,
               u"Too many connections from %1 (at most %2)"_s.arg(address).arg(
                       quota->addressLimit()));
        return;
    }
    if (!m_context.apps->tryOpenConnection(*app)) {
        quota->close(address);
        qCWarning(lcPusher) << "connection over quota"
                            << "app=" << app->id;
        refuse(std::move(socket), 4004, u"Over connection quota of %1"_s.arg(app->maxConnections));
        return;
    }
    Pusher::SessionTimeouts timeouts;
    timeouts.activityMs = qint64(m_context.settings.activityTimeoutSeconds) * 1000;
    timeouts.pongMs = qint64(m_context.settings.pongTimeoutSeconds) * 1000;
    const Broker::ConnectionId id = nextId(Broker::Protocol::Pusher);
    track(id, app->id, address);
    auto *session = new Pusher::Session(std::move(socket), id, *app, m_context.hub, timeouts, this,
                                        nullptr);
    session->countInto(m_context.metrics);
    m_sessions.insert(id, session);
    session->start();
}

void IoWorker::startCentrifugeSession(std::unique_ptr<WebSocket::Connection> socket,
                                      const Http::Request &request)
{
    // /connection/websocket serves the default app; ?app_key= picks another one.
    const QByteArray key = request.queryValue("app_key");
    const Config::AppSettings *app =
            key.isEmpty() ? &m_context.apps->apps().first() : m_context.apps->byKey(key);
    if (!app || !app->enabled) {
        qCInfo(lcCentrifuge) << "refusing connection: unknown or disabled app";
        closeRefused(std::move(socket), Centrifuge::DisconnectCode::BadRequest,
                     u"unknown or disabled app"_s);
        return;
    }
    const QString address = request.remoteAddress.toString();
    if (const QuotaRefusal refusal = m_context.connectionQuota->tryOpen(address);
        refusal != QuotaRefusal::None) {
        qCInfo(lcCentrifuge) << "refusing connection:"
                             << (refusal == QuotaRefusal::NodeFull ? "the node is full"
                                                                   : "too many from")
                             << address;
        closeRefused(std::move(socket), Centrifuge::DisconnectCode::ConnectionLimit,
                     u"connection limit"_s);
        return;
    }
    if (!m_context.apps->tryOpenConnection(*app)) {
        m_context.connectionQuota->close(address);
        qCWarning(lcCentrifuge) << "connection over quota"
                                << "app=" << app->id;
        closeRefused(std::move(socket), Centrifuge::DisconnectCode::ConnectionLimit,
                     u"connection limit"_s);
        return;
    }
    Centrifuge::SessionTimings timings;
    // Centrifuge pings on a fixed interval: at most 25 s, as Centrifugo does, or sooner when the
    // node's activity timeout is shorter.
    timings.pingMs = qMin<qint64>(25, m_context.settings.activityTimeoutSeconds) * 1000;
    timings.pongMs = qint64(m_context.settings.pongTimeoutSeconds) * 1000;
    const Broker::ConnectionId id = nextId(Broker::Protocol::Centrifuge);
    track(id, app->id, address);
    auto *session =
            new Centrifuge::Session(std::move(socket), id, *app, m_context.apps->tokenKeys(app->id),
                                    m_context.centrifugeHub, timings, this, nullptr);
    session->countInto(m_context.metrics);
    m_centrifugeSessions.insert(id, session);
    session->start();
}

void IoWorker::refuse(std::unique_ptr<WebSocket::Connection> socket,
                      int code,
                      const QString &message)
{
    qCInfo(lcPusher) << "refusing connection"
                     << "code=" << code << message;
    socket->writeFrame(serverTextFrame(Pusher::Frames::error(code, message)).wire);
    closeRefused(std::move(socket), code, message);
}

void IoWorker::closeRefused(std::unique_ptr<WebSocket::Connection> socket,
                            int code,
                            const QString &message)
{
    // Closing hands the stream over to its own lingering close; the WebSocket itself ends here.
    socket->start(nullptr);
    socket->close(quint16(code), message);
}

void IoWorker::sweep()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // Copies: a session closed for silence leaves these tables at once.
    for (Pusher::Session *session : m_sessions.values()) {
        session->checkActivity(now);
    }
    for (Centrifuge::Session *session : m_centrifugeSessions.values()) {
        session->checkActivity(now);
    }
}

} // namespace DNotifier::Transport
