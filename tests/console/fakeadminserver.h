#pragma once

// A stand-in for a node's admin endpoint, for testing the console's client without a node:
// a WebSocket server over TLS with a fresh self-signed certificate that speaks enough of
// docs/admin-protocol.md (hello, subscribe, unsubscribe, canned results for chosen methods,
// any other method echoed back) and records what it was sent. Listens on 127.0.0.1 only.

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslConfiguration>

class QWebSocket;
class QWebSocketServer;

class FakeAdminServer final : public QObject
{
    Q_OBJECT

public:
    explicit FakeAdminServer(QObject *parent = nullptr);
    ~FakeAdminServer() override;

    // Makes a new certificate and listens on `port` (0 picks one). False on failure.
    bool listen(quint16 port = 0);
    void stop();
    // Closes every client connection abruptly, as a crashing node would.
    void dropClients();

    quint16 port() const { return m_port; }

    QString fingerprint() const;

    void setKey(const QString &key, const QString &role);

    // Handshakes completed (TLS and WebSocket).
    int connectionCount() const { return m_connectionCount; }

    // Every request received, in order, over all connections.
    QList<QJsonObject> requests() const { return m_requests; }

    QStringList methods() const;
    // The requests received for one method, in order.
    QList<QJsonObject> requestsFor(const QString &method) const;

    // The result every later request for `method` gets, instead of the echo.
    void setResult(const QString &method, const QJsonObject &result);

    // The data of the snapshot each new subscription to `stream` gets.
    void setSnapshot(const QString &stream, const QJsonObject &data);
    // Sends a delta to every open subscription to `stream`.
    void sendDelta(const QString &stream, const QJsonObject &data);

private:
    struct Subscription
    {
        QWebSocket *socket = nullptr;
        qint64 id = 0;
        QString stream;
    };

    void onNewConnection();
    void onMessage(QWebSocket *socket, const QString &text);
    void reply(QWebSocket *socket, const QJsonValue &id, const QJsonObject &result);
    void replyError(QWebSocket *socket, const QJsonValue &id, const QString &code);
    void send(QWebSocket *socket, const QJsonObject &message);

    QWebSocketServer *m_server = nullptr;
    QSslConfiguration m_tls;
    quint16 m_port = 0;
    QString m_key = QStringLiteral("test-admin-key");
    QString m_role = QStringLiteral("admin");
    int m_connectionCount = 0;
    qint64 m_nextStream = 1;
    QList<QJsonObject> m_requests;
    QList<QWebSocket *> m_clients;
    QList<Subscription> m_subscriptions;
    QHash<QString, QJsonObject> m_snapshots;
    QHash<QString, QJsonObject> m_results;
};
