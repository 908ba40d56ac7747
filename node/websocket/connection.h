#pragma once

// One client's WebSocket after the opening handshake, on the TCP (or TLS) socket it arrived
// on: reads frames with FrameParser, answers pings, writes whole frames built elsewhere
// straight to the socket (Qt buffers them until the socket is writable, so every frame queued
// in one loop turn leaves in one write), and runs the closing handshake. Lives on its I/O
// thread; owns the socket.

#include "frameparser.h"

#include <node/http/httpmessage.h>

#include <QHostAddress>
#include <QObject>
#include <QTcpSocket>

namespace DNotifier::WebSocket {

class Connection final : public QObject
{
    Q_OBJECT

public:
    // Takes the socket, whose 101 answer has been written. `request` is the upgrade request.
    Connection(QTcpSocket *socket, Http::Request request, QObject *parent = nullptr);
    ~Connection() override;

    const Http::Request &request() const { return m_request; }

    QHostAddress peerAddress() const { return m_peerAddress; }

    void setMaxMessageBytes(qint64 bytes) { m_parser.setMaxMessageBytes(bytes); }

    // Reads what arrived with or right after the handshake; signals start from here on.
    void start();

    bool isOpen() const { return m_state == State::Open; }

    // A complete frame (see Transport::serverFrame); nothing once closing.
    void writeFrame(const QByteArray &wire);
    // Output not handed to the network yet, TLS records included.
    qint64 unsentBytes() const;

    // Sends a close frame with this code and reason (cut to 123 bytes of UTF-8), stops reading
    // messages and ends the TCP connection once the client has had time to read it.
    void close(quint16 code, const QString &reason);
    void abort();

Q_SIGNALS:
    void textReceived(const QByteArray &utf8);
    void binaryReceived();
    // Any bytes from the client, control frames included: the session's activity clock.
    void bytesArrived();
    void disconnected();

private:
    enum class State {
        Open,
        Closing,
        Closed,
    };

    void readAvailable();
    void handle(const Message &message);

    QTcpSocket *m_socket;
    Http::Request m_request;
    QHostAddress m_peerAddress;
    FrameParser m_parser;
    State m_state = State::Open;
    bool m_started = false;
};

} // namespace DNotifier::WebSocket
