#include "adminclient.h"

#include "fingerprint.h"
#include "streamsubscription.h"

#include <console/logging.h>

#include <QJsonDocument>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QUrl>
#include <QWebSocket>

#include <algorithm>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

namespace {

bool isLive(AdminClient::State state)
{
    return state == AdminClient::State::Connecting || state == AdminClient::State::Authenticating
           || state == AdminClient::State::Connected;
}

AdminError errorFromReply(const QJsonObject &error)
{
    return AdminError{error.value("code"_L1).toString(), error.value("message"_L1).toString(),
                      error.value("retry_after_ms"_L1).toInteger()};
}

} // namespace

AdminClient::AdminClient(QObject *parent)
    : QObject(parent)
    , m_clientName(u"dnotifier-console"_s)
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &AdminClient::connectSocket);
}

AdminClient::~AdminClient()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void AdminClient::open(const Endpoint &endpoint, const QString &key)
{
    close();
    m_endpoint = endpoint;
    m_endpoint.pinnedFingerprint = endpoint.pinnedFingerprint.trimmed();
    m_key = key;
    m_backoff.reset();
    connectSocket();
}

void AdminClient::close()
{
    m_reconnectTimer.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->close();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    failPendingRequests(tr("The connection was closed."));
    m_key.clear();
    setState(State::Disconnected);
}

void AdminClient::approveFingerprint(const QString &fingerprint)
{
    m_endpoint.pinnedFingerprint = normalizeFingerprint(fingerprint);
    m_reconnectTimer.stop();
    m_backoff.reset();
    connectSocket();
}

void AdminClient::setBackoff(ReconnectBackoff::Milliseconds initial,
                             ReconnectBackoff::Milliseconds maximum)
{
    m_backoff = ReconnectBackoff(initial, maximum);
}

void AdminClient::setState(State state)
{
    if (m_state == state) {
        return;
    }
    m_state = state;
    Q_EMIT stateChanged(state);
}

void AdminClient::connectSocket()
{
    dropSocket();
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::sslErrors, this, &AdminClient::onSslErrors);
    connect(m_socket, &QWebSocket::connected, this, &AdminClient::onConnected);
    connect(m_socket, &QWebSocket::disconnected, this, &AdminClient::onDisconnected);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &AdminClient::onTextMessage);
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            &AdminClient::onSocketError);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [](const QByteArray &) {
        qCWarning(lcAdminClient) << "binary frame from the node ignored";
    });

    QUrl url;
    url.setScheme(u"wss"_s);
    url.setHost(m_endpoint.host);
    url.setPort(m_endpoint.port);
    url.setPath(u"/admin"_s);
    setState(State::Connecting);
    m_socket->open(url);
}

// Forgets the current socket: its late signals must not reach this client any more.
void AdminClient::dropSocket()
{
    if (!m_socket) {
        return;
    }
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
}

// A self-signed certificate always fails verification. The errors are ignored only when the
// certificate behind every one of them is the pinned one; otherwise the handshake fails.
void AdminClient::onSslErrors(const QList<QSslError> &errors)
{
    QSslCertificate presented = m_socket->sslConfiguration().peerCertificate();
    if (presented.isNull() && !errors.isEmpty()) {
        presented = errors.first().certificate();
    }
    if (!checkPresentedCertificate(presented)) {
        return;
    }
    const bool allAboutPinned = std::all_of(errors.begin(), errors.end(), [&](const QSslError &e) {
        return e.certificate().isNull() || e.certificate() == presented;
    });
    if (!allAboutPinned) {
        refuse({AdminErrorCode::CertificateChanged,
                tr("The node showed a certificate chain that does not end in the pinned "
                   "certificate.")});
        return;
    }
    m_socket->ignoreSslErrors(errors);
}

void AdminClient::onConnected()
{
    if (!checkPresentedCertificate(m_socket->sslConfiguration().peerCertificate())) {
        return;
    }
    setState(State::Authenticating);
    sayHello();
}

// Decides on the certificate the node showed; on anything but the pinned one the socket is
// dropped before a byte of the key leaves the machine.
bool AdminClient::checkPresentedCertificate(const QSslCertificate &certificate)
{
    m_presentedFingerprint = certificateFingerprint(certificate);
    switch (decidePin(m_endpoint.pinnedFingerprint, m_presentedFingerprint)) {
    case PinDecision::Trusted:
        return true;
    case PinDecision::FirstContact:
        dropSocket();
        failPendingRequests(tr("The node's certificate is waiting for approval."));
        setState(State::AwaitingApproval);
        Q_EMIT approvalRequested(m_presentedFingerprint);
        return false;
    case PinDecision::Mismatch:
        qCWarning(lcAdminClient).nospace()
                << "certificate changed host=" << m_endpoint.host << " port=" << m_endpoint.port
                << " pinned=" << m_endpoint.pinnedFingerprint
                << " presented=" << m_presentedFingerprint;
        Q_EMIT certificateChanged(m_endpoint.pinnedFingerprint, m_presentedFingerprint);
        refuse({AdminErrorCode::CertificateChanged,
                tr("The node's certificate changed. Pinned: %1. Presented: %2.")
                        .arg(m_endpoint.pinnedFingerprint, m_presentedFingerprint)});
        return false;
    }
    return false;
}

void AdminClient::onSocketError(QAbstractSocket::SocketError)
{
    if (!m_socket || !isLive(m_state)) {
        return;
    }
    loseConnection(m_socket->errorString(), m_backoff.next());
}

void AdminClient::onDisconnected()
{
    if (!m_socket || !isLive(m_state)) {
        return;
    }
    const QString reason = m_socket->closeReason().isEmpty()
                                   ? tr("The node closed the connection (code %1).")
                                             .arg(int(m_socket->closeCode()))
                                   : m_socket->closeReason();
    loseConnection(reason, m_backoff.next());
}

void AdminClient::loseConnection(const QString &reason, ReconnectBackoff::Milliseconds delay)
{
    qCInfo(lcAdminClient).nospace()
            << "connection lost host=" << m_endpoint.host << " port=" << m_endpoint.port
            << " reason=" << reason << " retry_ms=" << delay.count();
    dropSocket();
    failPendingRequests(reason);
    m_reconnectTimer.start(delay);
    setState(State::Disconnected);
    Q_EMIT connectionLost(reason, int(delay.count()));
}

void AdminClient::refuse(const AdminError &error)
{
    dropSocket();
    m_reconnectTimer.stop();
    failPendingRequests(error.message);
    setState(State::Refused);
    Q_EMIT refused(error);
}

// Pending replies will never come; subscriptions are sent again on the next connection.
void AdminClient::failPendingRequests(const QString &reason)
{
    const QHash<qint64, PendingRequest> pending = std::exchange(m_pending, {});
    for (const PendingRequest &request : pending) {
        if (request.context) {
            request.handler(AdminReply::failure({AdminErrorCode::Disconnected, reason}));
        }
    }
    m_streams.clear();
    for (const QPointer<StreamSubscription> &subscription : std::as_const(m_subscriptions)) {
        if (subscription) {
            subscription->m_serverId = 0;
        }
    }
}

void AdminClient::sayHello()
{
    const QJsonObject params{{u"protocol"_s, ProtocolVersion},
                             {u"key"_s, m_key},
                             {u"client"_s, m_clientName}};
    send(u"hello"_s, params, this, [this](const AdminReply &reply) { onHelloReply(reply); });
}

void AdminClient::onHelloReply(const AdminReply &reply)
{
    if (reply.isOk()) {
        m_hello = HelloInfo::fromResult(reply.result());
        m_backoff.reset();
        setState(State::Connected);
        Q_EMIT authenticated(m_hello);
        const auto subscriptions = m_subscriptions;
        for (const QPointer<StreamSubscription> &subscription : subscriptions) {
            if (subscription) {
                activate(subscription);
            }
        }
        return;
    }
    const AdminError &error = reply.error();
    if (error.code == AdminErrorCode::Disconnected) {
        return;
    }
    if (error.code == AdminErrorCode::RateLimited) {
        const auto wait =
                std::max(ReconnectBackoff::Milliseconds(error.retryAfterMs), m_backoff.next());
        loseConnection(error.message, wait);
        return;
    }
    qCWarning(lcAdminClient).nospace()
            << "hello refused host=" << m_endpoint.host << " code=" << error.code;
    refuse(error);
}

void AdminClient::send(const QString &method,
                       const QJsonObject &params,
                       QObject *context,
                       ReplyHandler handler)
{
    const qint64 id = m_nextRequestId++;
    m_pending.insert(id, PendingRequest{context, std::move(handler)});
    QJsonObject message{{u"id"_s, id}, {u"method"_s, method}};
    if (!params.isEmpty()) {
        message.insert(u"params"_s, params);
    }
    m_socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void AdminClient::request(const QString &method,
                          const QJsonObject &params,
                          QObject *context,
                          ReplyHandler handler)
{
    Q_ASSERT(context);
    if (m_state != State::Connected || !m_socket) {
        const QString reason = tr("Not connected to a node.");
        QTimer::singleShot(0, context, [handler = std::move(handler), reason] {
            handler(AdminReply::failure({AdminErrorCode::Disconnected, reason}));
        });
        return;
    }
    send(method, params, context, std::move(handler));
}

void AdminClient::onTextMessage(const QString &text)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (!document.isObject()) {
        qCWarning(lcAdminClient) << "frame from the node is not a JSON object:"
                                 << parseError.errorString();
        return;
    }
    const QJsonObject message = document.object();
    if (message.contains("stream"_L1) && message.contains("event"_L1)) {
        routeStreamEvent(message);
    } else if (message.contains("id"_L1)) {
        routeReply(message);
    } else {
        qCWarning(lcAdminClient) << "frame from the node is neither a reply nor an event";
    }
}

void AdminClient::routeReply(const QJsonObject &message)
{
    const QJsonValue idValue = message.value("id"_L1);
    if (!idValue.isDouble()) {
        // The node could not read an id from something this client sent: a client bug.
        qCWarning(lcAdminClient) << "error reply without id:"
                                 << message.value("error"_L1).toObject().value("code"_L1);
        return;
    }
    const PendingRequest pending = m_pending.take(idValue.toInteger());
    if (!pending.handler) {
        qCWarning(lcAdminClient) << "reply to an unknown request id=" << idValue.toInteger();
        return;
    }
    if (!pending.context) {
        return;
    }
    if (message.contains("error"_L1)) {
        pending.handler(AdminReply::failure(errorFromReply(message.value("error"_L1).toObject())));
    } else {
        pending.handler(AdminReply::success(message.value("result"_L1).toObject()));
    }
}

void AdminClient::routeStreamEvent(const QJsonObject &message)
{
    const QPointer<StreamSubscription> subscription =
            m_streams.value(message.value("stream"_L1).toInteger());
    if (!subscription) {
        // Events of a stream unsubscribed a moment ago may still be on the wire.
        return;
    }
    const QString event = message.value("event"_L1).toString();
    const QJsonObject data = message.value("data"_L1).toObject();
    if (event == "snapshot"_L1) {
        Q_EMIT subscription->snapshotReceived(data);
    } else if (event == "delta"_L1) {
        Q_EMIT subscription->deltaReceived(data);
    }
}

StreamSubscription *AdminClient::subscribe(const QString &stream,
                                           const QJsonObject &params,
                                           QObject *parent)
{
    auto *subscription = new StreamSubscription(this, stream, params, parent);
    m_subscriptions.append(subscription);
    if (m_state == State::Connected) {
        activate(subscription);
    }
    return subscription;
}

void AdminClient::activate(StreamSubscription *subscription)
{
    QJsonObject params = subscription->m_params;
    params.insert(u"stream"_s, subscription->m_stream);
    const QPointer<StreamSubscription> guarded(subscription);
    const quint64 generation = subscription->m_generation;
    send(u"subscribe"_s, params, this, [this, guarded, generation](const AdminReply &reply) {
        const bool current = guarded && guarded->m_generation == generation;
        if (!reply.isOk()) {
            if (current && reply.error().code != AdminErrorCode::Disconnected) {
                Q_EMIT guarded->failed(reply.error());
            }
            return;
        }
        const qint64 serverId = reply.result().value("stream"_L1).toInteger();
        if (!current) {
            unsubscribeOnNode(serverId);
            return;
        }
        guarded->m_serverId = serverId;
        m_streams.insert(serverId, guarded);
    });
}

void AdminClient::release(StreamSubscription *subscription)
{
    m_subscriptions.removeIf([subscription](const QPointer<StreamSubscription> &entry) {
        return !entry || entry == subscription;
    });
    if (subscription->m_serverId != 0) {
        m_streams.remove(subscription->m_serverId);
        unsubscribeOnNode(subscription->m_serverId);
    }
}

void AdminClient::restart(StreamSubscription *subscription)
{
    if (subscription->m_serverId != 0) {
        m_streams.remove(subscription->m_serverId);
        unsubscribeOnNode(subscription->m_serverId);
        subscription->m_serverId = 0;
    }
    if (m_state == State::Connected) {
        activate(subscription);
    }
}

void AdminClient::unsubscribeOnNode(qint64 serverId)
{
    if (m_state != State::Connected || !m_socket || serverId == 0) {
        return;
    }
    send(u"unsubscribe"_s, QJsonObject{{u"stream"_s, serverId}}, this, [](const AdminReply &) {});
}

} // namespace DNotifier::Console
