#include "adminsession.h"

#include "adminerrors.h"
#include "adminrequest.h"
#include "adminserver.h"

#include <node/logging.h>
#include <node/transport/clientlimits.h>
#include <node/transport/unsentbytes.h>
#include <node/transport/websocketclose.h>

#include <QJsonDocument>
#include <QPointer>
#include <QSslSocket>
#include <QWebSocket>

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int ProtocolVersion = 1;
constexpr int HelloTimeoutMs = 10'000;
constexpr qint64 MaxFrameBytes = 64 * 1024;
constexpr int MaxStreams = 16;
constexpr int MaxTailPerSecond = 100;
constexpr int CloseUnauthorized = 4001;
constexpr int CloseHelloTimeout = 4008;
constexpr int CloseUnsupportedData = 1003;
constexpr int CloseTooSlow = 4010;
} // namespace

AdminSession::AdminSession(QWebSocket *socket,
                           QSslSocket *transport,
                           AdminServer &server,
                           QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_transport(transport)
    , m_server(server)
    , m_address(socket->peerAddress().toString())
{
    // Children go in the order they came: the WebSocket before the socket it uses.
    m_socket->setParent(this);
    m_transport->setParent(this);
    m_socket->setMaxAllowedIncomingFrameSize(MaxFrameBytes);
    m_socket->setMaxAllowedIncomingMessageSize(MaxFrameBytes);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &AdminSession::onText);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this,
            [this] { closeWith(CloseUnsupportedData, u"the admin protocol uses text frames"_s); });
    connect(m_socket, &QWebSocket::disconnected, this, [this] { Q_EMIT finished(this); });
    m_helloDeadline.setSingleShot(true);
    m_helloDeadline.setInterval(HelloTimeoutMs);
    connect(&m_helloDeadline, &QTimer::timeout, this,
            [this] { closeWith(CloseHelloTimeout, u"no hello within 10 seconds"_s); });
    m_helloDeadline.start();
}

AdminSession::~AdminSession()
{
    m_server.removeTails(this);
}

void AdminSession::onText(const QString &text)
{
    if (m_closing) {
        return;
    }
    auto parsed = parseAdminRequest(text.toUtf8());
    if (const auto *failed = std::get_if<RequestError>(&parsed)) {
        replyError(failed->id, failed->error);
        return;
    }
    const AdminRequest &request = std::get<AdminRequest>(parsed);
    handle(request.id, request.method, request.params);
}

void AdminSession::handle(const QJsonValue &id, const QString &method, const QJsonObject &params)
{
    if (method == "hello"_L1) {
        hello(id, params);
        return;
    }
    if (!m_key) {
        replyError(id, adminError(ErrorCode::Unauthenticated, u"say hello with a key first"_s));
        return;
    }
    if (method == "subscribe"_L1) {
        subscribe(id, params);
    } else if (method == "unsubscribe"_L1) {
        unsubscribe(id, params);
    } else {
        QPointer<AdminSession> self(this);
        m_server.command(*m_key, m_address, method, params,
                         [self, id](const Result<QJsonObject> &result) {
                             if (!self) {
                                 return;
                             }
                             if (result) {
                                 self->reply(id, *result);
                             } else {
                                 self->replyError(id, result.error());
                             }
                         });
    }
}

void AdminSession::hello(const QJsonValue &id, const QJsonObject &params)
{
    if (m_key) {
        replyError(id, adminError(ErrorCode::BadRequest, u"already said hello"_s));
        return;
    }
    if (params.value("protocol"_L1) != QJsonValue(ProtocolVersion)) {
        replyError(id, adminError(ErrorCode::UnsupportedProtocol,
                                  u"this node speaks admin protocol version %1"_s.arg(
                                          ProtocolVersion)));
        return;
    }
    const QString client = params.value("client"_L1).toString().left(100);
    const Result<Config::AdminKey> key =
            m_server.login(m_address, params.value("key"_L1).toString().toUtf8(), client);
    if (!key) {
        replyError(id, key.error());
        closeWith(CloseUnauthorized, u"not authenticated"_s);
        return;
    }
    m_helloDeadline.stop();
    m_key = *key;
    reply(id, m_server.helloResult(*key, ProtocolVersion));
}

void AdminSession::subscribe(const QJsonValue &id, const QJsonObject &params)
{
    const QString kind = params.value("stream"_L1).toString();
    if (!StreamKinds.contains(kind)) {
        replyError(id, adminError(ErrorCode::BadRequest,
                                  u"\"stream\" must be one of: %1"_s.arg(StreamKinds.join(u", "))));
        return;
    }
    if (m_streams.size() >= MaxStreams) {
        replyError(id, adminError(ErrorCode::TooManyStreams,
                                  u"at most %1 streams per connection"_s.arg(MaxStreams)));
        return;
    }
    const Result<StreamView> view = m_server.streamView(kind, params);
    if (!view) {
        replyError(id, view.error());
        return;
    }
    const int stream = m_nextStream++;
    m_streams.insert(stream, {kind, params, *view});
    if (kind == "tail"_L1) {
        m_server.addTail(this, stream, params);
    }
    reply(id, {{"stream"_L1, stream}});
    sendEvent(stream, "snapshot"_L1, snapshotData(*view));
}

void AdminSession::unsubscribe(const QJsonValue &id, const QJsonObject &params)
{
    const QJsonValue number = params.value("stream"_L1);
    if (!number.isDouble() || number.toDouble() != double(number.toInt())) {
        replyError(id, adminError(ErrorCode::BadRequest, u"\"stream\" must be a stream number"_s));
        return;
    }
    const int stream = number.toInt();
    if (!m_streams.remove(stream)) {
        replyError(id, adminError(ErrorCode::NotFound, u"no open stream with that number"_s));
        return;
    }
    m_server.removeTail(this, stream);
    reply(id, {});
}

void AdminSession::refresh()
{
    for (auto it = m_streams.begin(); it != m_streams.end(); ++it) {
        OpenStream &stream = it.value();
        if (stream.kind == "tail"_L1) {
            if (stream.tailDropped > 0) {
                sendEvent(it.key(), "delta"_L1, {{"dropped"_L1, stream.tailDropped}});
            }
            stream.tailSent = 0;
            stream.tailDropped = 0;
            continue;
        }
        const Result<StreamView> view = m_server.streamView(stream.kind, stream.params);
        if (!view) {
            continue;
        }
        const QJsonObject delta = deltaData(stream.last, *view, stream.kind == "traffic"_L1);
        if (!delta.isEmpty()) {
            sendEvent(it.key(), "delta"_L1, delta);
        }
        stream.last = *view;
    }
}

QList<QJsonObject> AdminSession::streamParams(const QString &kind) const
{
    QList<QJsonObject> params;
    for (const OpenStream &stream : m_streams) {
        if (stream.kind == kind) {
            params.append(stream.params);
        }
    }
    return params;
}

void AdminSession::tailPublication(int streamId, const QJsonObject &entry)
{
    const auto stream = m_streams.find(streamId);
    if (stream == m_streams.end()) {
        return;
    }
    // Another node's count of what it left out, shown with this node's own count.
    if (entry.contains("dropped"_L1)) {
        stream->tailDropped += entry.value("dropped"_L1).toInteger();
        return;
    }
    if (stream->tailSent >= MaxTailPerSecond) {
        ++stream->tailDropped;
        return;
    }
    ++stream->tailSent;
    sendEvent(streamId, "delta"_L1, entry);
}

void AdminSession::reply(const QJsonValue &id, const QJsonObject &result)
{
    sendJson({{"id"_L1, id}, {"result"_L1, result}});
}

void AdminSession::replyError(const QJsonValue &id, const Error &error)
{
    QJsonObject described{{"code"_L1, errorName(error.code)}, {"message"_L1, error.message}};
    if (error.code == int(ErrorCode::RateLimited)) {
        described.insert("retry_after_ms"_L1, m_server.retryAfterMs(m_address));
    }
    sendJson({{"id"_L1, id}, {"error"_L1, described}});
}

void AdminSession::sendEvent(int stream, QLatin1StringView event, const QJsonObject &data)
{
    sendJson({{"stream"_L1, stream}, {"event"_L1, event}, {"data"_L1, data}});
}

void AdminSession::sendJson(const QJsonObject &message)
{
    if (m_closing) {
        return;
    }
    // A console that stops reading would otherwise hold every tailed publication in memory.
    if (Transport::unsentBytes(*m_socket, m_transport) > Transport::MaxOutboundBytes) {
        closeWith(CloseTooSlow, u"the console does not read fast enough"_s);
        return;
    }
    m_socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void AdminSession::closeWith(int code, const QString &reason)
{
    if (m_closing) {
        return;
    }
    m_closing = true;
    qCInfo(lcAdmin) << "closing admin connection from" << m_address << "code=" << code << reason;
    Transport::closeWebSocket(m_socket, code, reason);
}

} // namespace DNotifier::Admin
