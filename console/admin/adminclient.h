#pragma once

// The console's end of the admin channel (docs/admin-protocol.md): one WebSocket over TLS to
// one node. It checks the node's certificate against the pinned fingerprint before anything
// is sent, says hello with the admin key, pairs replies with requests by id, hands stream
// events to their subscriptions, and reconnects on its own with a jittered backoff until
// closed, subscribing every live subscription again. Lives on the GUI thread.

#include "adminreply.h"
#include "reconnectbackoff.h"

#include <QAbstractSocket>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslError>
#include <QTimer>

class QWebSocket;

namespace DNotifier::Console {

class StreamSubscription;

class AdminClient final : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Disconnected,
        Connecting,
        // The node showed a certificate and nothing is pinned: the user must approve it.
        AwaitingApproval,
        Authenticating,
        Connected,
        // The certificate changed or the node turned the key down; no retry until reopened.
        Refused,
    };
    Q_ENUM(State)

    struct Endpoint
    {
        QString host;
        quint16 port = 0;
        // Empty on first contact.
        QString pinnedFingerprint;
    };

    static constexpr int ProtocolVersion = 1;

    explicit AdminClient(QObject *parent = nullptr);
    ~AdminClient() override;

    // Connects, and keeps reconnecting until close(). The key is held in memory only.
    void open(const Endpoint &endpoint, const QString &key);
    void close();
    // Pins the fingerprint the user approved and connects again.
    void approveFingerprint(const QString &fingerprint);

    void setClientName(const QString &name) { m_clientName = name; }

    void setBackoff(ReconnectBackoff::Milliseconds initial, ReconnectBackoff::Milliseconds maximum);

    State state() const { return m_state; }

    Endpoint endpoint() const { return m_endpoint; }

    // Disconnected, but another attempt is due.
    bool isReconnecting() const { return m_reconnectTimer.isActive(); }

    // Valid while connected.
    const HelloInfo &hello() const { return m_hello; }

    // The fingerprint of the certificate the node showed last, pinned or not.
    QString presentedFingerprint() const { return m_presentedFingerprint; }

    // Sends a command; the handler runs once with the reply, unless `context` died first. Not
    // connected, it fails at once (on the next turn of the event loop).
    void request(const QString &method,
                 const QJsonObject &params,
                 QObject *context,
                 ReplyHandler handler);

    // A subscription owned by `parent`; it is sent now if connected, else on connection.
    StreamSubscription *subscribe(const QString &stream,
                                  const QJsonObject &params,
                                  QObject *parent);

Q_SIGNALS:
    void stateChanged(DNotifier::Console::AdminClient::State state);
    void approvalRequested(const QString &fingerprint);
    void certificateChanged(const QString &pinned, const QString &presented);
    // Any refusal: a changed certificate, a wrong key, an unsupported protocol.
    void refused(const DNotifier::Console::AdminError &error);
    void authenticated(const DNotifier::Console::HelloInfo &hello);
    // The connection dropped or could not be made; another attempt follows after `delayMs`.
    void connectionLost(const QString &reason, int delayMs);

private:
    friend class StreamSubscription;

    struct PendingRequest
    {
        QPointer<QObject> context;
        ReplyHandler handler;
    };

    void setState(State state);
    void connectSocket();
    void dropSocket();
    void onSslErrors(const QList<QSslError> &errors);
    void onConnected();
    void onSocketError(QAbstractSocket::SocketError error);
    void onDisconnected();
    void onTextMessage(const QString &text);
    void routeReply(const QJsonObject &message);
    void routeStreamEvent(const QJsonObject &message);
    bool checkPresentedCertificate(const QSslCertificate &certificate);
    void refuse(const AdminError &error);
    void loseConnection(const QString &reason, ReconnectBackoff::Milliseconds delay);
    void failPendingRequests(const QString &reason);
    void sayHello();
    void onHelloReply(const AdminReply &reply);
    void send(const QString &method,
              const QJsonObject &params,
              QObject *context,
              ReplyHandler handler);
    void activate(StreamSubscription *subscription);
    void release(StreamSubscription *subscription);
    void restart(StreamSubscription *subscription);
    void unsubscribeOnNode(qint64 serverId);

    QWebSocket *m_socket = nullptr;
    State m_state = State::Disconnected;
    Endpoint m_endpoint;
    QString m_key;
    QString m_clientName;
    QString m_presentedFingerprint;
    HelloInfo m_hello;
    qint64 m_nextRequestId = 1;
    QHash<qint64, PendingRequest> m_pending;
    QList<QPointer<StreamSubscription>> m_subscriptions;
    QHash<qint64, QPointer<StreamSubscription>> m_streams;
    ReconnectBackoff m_backoff;
    QTimer m_reconnectTimer;
};

} // namespace DNotifier::Console
