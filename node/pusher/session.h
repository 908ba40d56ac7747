#pragma once

// The I/O-thread half of one Pusher connection: it owns the WebSocket, parses and checks
// what the client sends (frame shape, names, signatures, sizes, client-event rate) and posts
// the verified requests to the hub on the broker thread. It never touches broker state.

#include "frames.h"

#include <node/broker/types.h>
#include <node/config/settings.h>
#include <node/observability/nodemetrics.h>
#include <node/transport/clientlimits.h>
#include <node/transport/outgoingframe.h>
#include <node/transport/sessionend.h>
#include <node/websocket/connection.h>

#include <QObject>
#include <QPointer>

#include <memory>

namespace DNotifier::Pusher {

class Hub;

struct SessionTimeouts
{
    qint64 activityMs = 120'000;
    qint64 pongMs = 30'000;
};

class Session final : public QObject, private WebSocket::ConnectionListener
{
    Q_OBJECT

public:
    // `transport` is the TCP socket under the WebSocket: its reads reveal ping frames too.
    Session(std::unique_ptr<WebSocket::Connection> socket,
            Broker::ConnectionId id,
            const Config::AppSettings &app,
            Hub *hub,
            const SessionTimeouts &timeouts,
            Transport::SessionEnd *owner,
            QObject *parent);
    ~Session() override;

    Broker::ConnectionId id() const { return m_id; }

    // Counts every frame sent into the node's metrics from now on.
    void countInto(Observability::NodeMetrics *metrics) { m_metrics = metrics; }

    void start();
    void send(const Transport::OutgoingFrame &frame);
    // A frame of the session's own (not a publication's), framed here.
    void sendFrame(const QByteArray &frame);
    void close(int code, const QString &reason);
    // Pings a silent client, and closes it with 4201 when the ping goes unanswered.
    void checkActivity(qint64 nowMs);

private:
    void textReceived(const QByteArray &message) override;
    void binaryReceived() override;
    void bytesArrived() override;
    void disconnected() override;
    void dispatch(const ClientFrame &frame);
    void handleSubscribe(const QJsonValue &data);
    void handleUnsubscribe(const QJsonValue &data);
    void handleSignin(const QJsonValue &data);
    void handleClientEvent(const ClientFrame &frame);
    Result<std::optional<Broker::PresenceMember>> authorize(const QString &channel,
                                                            const QJsonObject &data) const;
    Result<Broker::PresenceMember> presenceMember(const QString &channel,
                                                  const QJsonObject &data) const;
    bool takeClientEventToken(qint64 nowMs);
    // Answers go through the hub so they keep their order behind replies the hub still owes.
    void reply(const QByteArray &frame);
    void markActivity();
    void logBadInput(const QString &reason);

    template<typename Function>
    void post(Function &&function);

    std::unique_ptr<WebSocket::Connection> m_socket;
    Transport::SessionEnd *m_owner;
    Broker::ConnectionId m_id;
    // The app's entry in the registry's table, which is never freed (AppRegistry): the
    // session keeps the settings it started with, as a copy would, without 288 bytes per
    // connection.
    const Config::AppSettings &m_app;
    Hub *m_hub;
    SessionTimeouts m_timeouts;
    QByteArray m_socketId;
    QString m_userId;
    QByteArray m_userInfo;
    qint64 m_lastHeardMs = 0;
    qint64 m_pingSentMs = 0;
    qint64 m_rateWindowStartMs = 0;
    int m_rateWindowCount = 0;
    bool m_open = true;
    Transport::RequestRateLimiter m_requestRate;
    bool m_loggedBadInput = false;
    Observability::NodeMetrics *m_metrics = nullptr;
};

} // namespace DNotifier::Pusher
