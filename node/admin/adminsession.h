#pragma once

// One console's connection to the admin channel: reads requests, checks the key and role,
// answers, and keeps the streams it subscribed to, sending each one's snapshot and then its
// deltas once a second. Lives on the broker thread.

#include "streamview.h"

#include <common/result.h>
#include <node/config/settings.h>

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <optional>

class QSslSocket;
class QWebSocket;

namespace DNotifier::Admin {

class AdminServer;

class AdminSession final : public QObject
{
    Q_OBJECT

public:
    // Takes both sockets; `transport` is the TLS socket the WebSocket runs over.
    AdminSession(QWebSocket *socket, QSslSocket *transport, AdminServer &server, QObject *parent);
    ~AdminSession() override;

    QString address() const { return m_address; }

    // Sends what changed in each stream since the last call.
    void refresh();
    // The params of the open streams of that kind.
    QList<QJsonObject> streamParams(const QString &kind) const;
    void tailPublication(int streamId, const QJsonObject &entry);

Q_SIGNALS:
    void finished(DNotifier::Admin::AdminSession *session);

private:
    struct OpenStream
    {
        QString kind;
        QJsonObject params;
        StreamView last;
        // Tail publications sent, and those left out, since the last refresh.
        int tailSent = 0;
        qint64 tailDropped = 0;
    };

    void onText(const QString &text);
    void handle(const QJsonValue &id, const QString &method, const QJsonObject &params);
    void hello(const QJsonValue &id, const QJsonObject &params);
    void subscribe(const QJsonValue &id, const QJsonObject &params);
    void unsubscribe(const QJsonValue &id, const QJsonObject &params);
    void reply(const QJsonValue &id, const QJsonObject &result);
    void replyError(const QJsonValue &id, const Error &error);
    void sendEvent(int stream, QLatin1StringView event, const QJsonObject &data);
    void sendJson(const QJsonObject &message);
    void closeWith(int code, const QString &reason);

    QWebSocket *m_socket;
    QSslSocket *m_transport;
    AdminServer &m_server;
    QString m_address;
    std::optional<Config::AdminKey> m_key;
    QTimer m_helloDeadline;
    QHash<int, OpenStream> m_streams;
    int m_nextStream = 1;
    bool m_closing = false;
};

} // namespace DNotifier::Admin
