#include "fakeadminserver.h"

#include <common/crypto/selfsigned.h>
#include <console/admin/fingerprint.h>

#include <QJsonDocument>
#include <QSslKey>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Qt::Literals::StringLiterals;

FakeAdminServer::FakeAdminServer(QObject *parent)
    : QObject(parent)
{ }

FakeAdminServer::~FakeAdminServer()
{
    stop();
}

bool FakeAdminServer::listen(quint16 port)
{
    stop();
    const auto made = DNotifier::Crypto::generateSelfSignedCertificate(u"fake admin endpoint"_s, 1);
    if (!made) {
        return false;
    }
    m_tls = QSslConfiguration::defaultConfiguration();
    m_tls.setLocalCertificate(QSslCertificate(made->certificate, QSsl::Pem));
    m_tls.setPrivateKey(QSslKey(made->privateKey, QSsl::Ec, QSsl::Pem));
    m_tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_server = new QWebSocketServer(u"fake admin"_s, QWebSocketServer::SecureMode, this);
    m_server->setSslConfiguration(m_tls);
    connect(m_server, &QWebSocketServer::newConnection, this, &FakeAdminServer::onNewConnection);
    if (!m_server->listen(QHostAddress::LocalHost, port)) {
        return false;
    }
    m_port = m_server->serverPort();
    return true;
}

void FakeAdminServer::stop()
{
    dropClients();
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
}

void FakeAdminServer::dropClients()
{
    const QList<QWebSocket *> clients = std::exchange(m_clients, {});
    for (QWebSocket *socket : clients) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
    m_subscriptions.clear();
}

QString FakeAdminServer::fingerprint() const
{
    return DNotifier::Console::certificateFingerprint(m_tls.localCertificate());
}

void FakeAdminServer::setKey(const QString &key, const QString &role)
{
    m_key = key;
    m_role = role;
}

QStringList FakeAdminServer::methods() const
{
    QStringList names;
    for (const QJsonObject &request : m_requests) {
        names.append(request.value("method"_L1).toString());
    }
    return names;
}

QList<QJsonObject> FakeAdminServer::requestsFor(const QString &method) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &request : m_requests) {
        if (request.value("method"_L1).toString() == method) {
            found.append(request);
        }
    }
    return found;
}

void FakeAdminServer::setResult(const QString &method, const QJsonObject &result)
{
    m_results.insert(method, result);
}

void FakeAdminServer::setSnapshot(const QString &stream, const QJsonObject &data)
{
    m_snapshots.insert(stream, data);
}

void FakeAdminServer::sendDelta(const QString &stream, const QJsonObject &data)
{
    for (const Subscription &subscription : std::as_const(m_subscriptions)) {
        if (subscription.stream == stream) {
            send(subscription.socket,
                 {{u"stream"_s, subscription.id}, {u"event"_s, u"delta"_s}, {u"data"_s, data}});
        }
    }
}

void FakeAdminServer::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        socket->setParent(this);
        ++m_connectionCount;
        m_clients.append(socket);
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, socket](const QString &text) { onMessage(socket, text); });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            m_clients.removeAll(socket);
            m_subscriptions.removeIf(
                    [socket](const Subscription &s) { return s.socket == socket; });
            socket->deleteLater();
        });
    }
}

void FakeAdminServer::onMessage(QWebSocket *socket, const QString &text)
{
    const QJsonObject request = QJsonDocument::fromJson(text.toUtf8()).object();
    m_requests.append(request);
    const QJsonValue id = request.value("id"_L1);
    const QString method = request.value("method"_L1).toString();
    const QJsonObject params = request.value("params"_L1).toObject();
    if (method == "hello"_L1) {
        if (params.value("key"_L1).toString() != m_key) {
            replyError(socket, id, u"unauthorized"_s);
            socket->close(QWebSocketProtocol::CloseCode(4001));
            return;
        }
        reply(socket, id,
              {{u"protocol"_s, 1},
               {u"role"_s, m_role},
               {u"key_name"_s, u"test"_s},
               {u"node"_s, QJsonObject{{u"id"_s, u"n1"_s},
                                       {u"name"_s, u"fake"_s},
                                       {u"region"_s, u"test"_s},
                                       {u"version"_s, u"0.0.0"_s}}},
               {u"cluster"_s, QJsonObject{{u"id"_s, u"c1"_s}}}});
    } else if (method == "subscribe"_L1) {
        const Subscription subscription{socket, m_nextStream++,
                                        params.value("stream"_L1).toString()};
        m_subscriptions.append(subscription);
        reply(socket, id, {{u"stream"_s, subscription.id}});
        send(socket, {{u"stream"_s, subscription.id},
                      {u"event"_s, u"snapshot"_s},
                      {u"data"_s, m_snapshots.value(subscription.stream)}});
    } else if (method == "unsubscribe"_L1) {
        const qint64 stream = params.value("stream"_L1).toInteger();
        m_subscriptions.removeIf([socket, stream](const Subscription &s) {
            return s.socket == socket && s.id == stream;
        });
        reply(socket, id, {});
    } else if (method == "fail"_L1) {
        replyError(socket, id, u"failed"_s);
    } else if (m_results.contains(method)) {
        reply(socket, id, m_results.value(method));
    } else {
        reply(socket, id, {{u"method"_s, method}, {u"params"_s, params}});
    }
}

void FakeAdminServer::reply(QWebSocket *socket, const QJsonValue &id, const QJsonObject &result)
{
    send(socket, {{u"id"_s, id}, {u"result"_s, result}});
}

void FakeAdminServer::replyError(QWebSocket *socket, const QJsonValue &id, const QString &code)
{
    send(socket,
         {{u"id"_s, id},
          {u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, u"refused by fake"_s}}}});
}

void FakeAdminServer::send(QWebSocket *socket, const QJsonObject &message)
{
    socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}
