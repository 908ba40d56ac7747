#pragma once

// One I/O thread's worth of connections. The worker owns its sockets and their event loop:
// it adopts accepted descriptors, parses HTTP, upgrades WebSockets, runs the Pusher sessions
// and writes whatever the broker thread sends back. Every method runs on the worker's thread.

#include <node/apps/appregistry.h>
#include <node/broker/types.h>
#include <node/centrifuge/session.h>
#include <node/config/settings.h>
#include <node/http/httpconnection.h>
#include <node/observability/nodemetrics.h>
#include <node/pusher/session.h>
#include <node/transport/connectionquota.h>
#include <node/transport/outgoingframe.h>
#include <node/transport/sessionend.h>
#include <node/websocket/connection.h>

#include <QHash>
#include <QObject>
#include <QSslConfiguration>
#include <QTimer>

#include <memory>
#include <optional>

namespace DNotifier::Pusher {
class Hub;
class HttpApi;
} // namespace DNotifier::Pusher

namespace DNotifier::Centrifuge {
class Hub;
class ServerApi;
} // namespace DNotifier::Centrifuge

namespace DNotifier::Transport {

class SocketBudget;

struct WorkerContext
{
    std::shared_ptr<const Apps::AppRegistry> apps;
    Pusher::Hub *hub = nullptr;
    Centrifuge::Hub *centrifugeHub = nullptr;
    Config::NodeSettings settings;
    SocketBudget *budget = nullptr;
    Observability::NodeMetrics *metrics = nullptr;
    // Set: the client port speaks TLS only.
    std::optional<QSslConfiguration> tls;
    ConnectionQuota *connectionQuota = nullptr;
};

// What the console lists about one client connection (see the admin connections stream).
struct ConnectionFacts
{
    Broker::ConnectionId id = 0;
    QString appId;
    QString address;
    qint64 connectedMs = 0;
};

class IoWorker final : public QObject, private SessionEnd
{
    Q_OBJECT

public:
    IoWorker(int index, const WorkerContext &context);
    ~IoWorker() override;

    void adopt(qintptr descriptor);
    void deliver(const QList<Broker::ConnectionId> &recipients, const OutgoingFrame &frame);
    void closeConnection(Broker::ConnectionId id, int code, const QString &reason);
    void respond(quint64 httpId, quint64 sequence, const Http::Response &response);
    // Closes every client connection with its protocol's "server going away, reconnect" code.
    void closeAll();

    QList<ConnectionFacts> connectionFacts() const { return m_facts.values(); }

    // New certificate files for the connections accepted from now on (a reload).
    void setTls(const QSslConfiguration &tls) { m_context.tls = tls; }

    // Closes the app's connections: it was disabled.
    void closeApp(const QString &appId);

private:
    Broker::ConnectionId nextId(Broker::Protocol protocol) const;
    void onRequest(quint64 httpId, const Http::Request &request);
    // 200 when the node takes new clients; 503 while it drains or has not joined its cluster.
    Http::Response readiness() const;
    // Answers the WebSocket handshake and hands the connection to its protocol's session.
    void startUpgrade(ByteStream *stream,
                      const Http::Request &request,
                      const QByteArray &alreadyRead);
    void startPusherSession(std::unique_ptr<WebSocket::Connection> socket,
                            const Http::Request &request);
    void startCentrifugeSession(std::unique_ptr<WebSocket::Connection> socket,
                                const Http::Request &request);
    void refuse(std::unique_ptr<WebSocket::Connection> socket, int code, const QString &message);
    // Closes without a Pusher error frame first.
    void closeRefused(std::unique_ptr<WebSocket::Connection> socket,
                      int code,
                      const QString &message);
    void sweep();
    // Keeps the connection's facts while the session lives.
    void track(Broker::ConnectionId id, const QString &appId, const QString &address);
    // Forgets the session, gives back its quotas and tells its hub.
    void sessionEnded(Broker::ConnectionId id) override;

    int m_index;
    WorkerContext m_context;
    std::unique_ptr<Pusher::HttpApi> m_api;
    std::unique_ptr<Centrifuge::ServerApi> m_serverApi;
    QHash<Broker::ConnectionId, Pusher::Session *> m_sessions;
    QHash<Broker::ConnectionId, Centrifuge::Session *> m_centrifugeSessions;
    QHash<quint64, Http::HttpConnection *> m_http;
    QHash<Broker::ConnectionId, ConnectionFacts> m_facts;
    QTimer m_sweepTimer;
};

} // namespace DNotifier::Transport
