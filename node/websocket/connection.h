#pragma once

// One client's WebSocket after the opening handshake, on the byte stream of its connection:
// reads frames with FrameParser, answers pings, writes whole frames built elsewhere (the stream
// sends every frame queued in one loop turn in one write), and runs the closing handshake.
// Lives on its I/O thread; owns the stream.

#include "frameparser.h"

#include <node/http/httpmessage.h>
#include <node/transport/bytestream.h>

#include <QHostAddress>
#include <QObject>

namespace DNotifier::WebSocket {

class Connection final : public QObject
{
    Q_OBJECT

public:
    // Takes the stream, whose 101 answer has been written. `request` is the upgrade request
    // (kept without its headers), `alreadyRead` what the client sent after it and was read.
    Connection(Transport::ByteStream *stream,
               Http::Request request,
               QByteArray alreadyRead,
               QObject *parent = nullptr);
    ~Connection() override;

    const Http::Request &request() const { return m_request; }

    QHostAddress peerAddress() const { return m_request.remoteAddress; }

    void setMaxMessageBytes(qint64 bytes) { m_parser.setMaxMessageBytes(bytes); }

    // Reads what arrived with or right after the handshake; signals start from here on.
    void start();

    bool isOpen() const { return m_state == State::Open; }

    // A complete frame (see Transport::serverFrame); nothing once closing.
    void writeFrame(const QByteArray &wire);
    // Output not handed to the network yet, TLS records included.
    qint64 unsentBytes() const;

    // Sends a close frame with this code and reason (cut to 123 bytes of UTF-8); the connection
    // is closed from then on (disconnected() is emitted before this returns), and its TCP
    // connection ends once the client has had time to read the frame.
    void close(quint16 code, const QString &reason);

Q_SIGNALS:
    void textReceived(const QByteArray &utf8);
    void binaryReceived();
    // Any bytes from the client, control frames included: the session's activity clock.
    void bytesArrived();
    void disconnected();

private:
    enum class State {
        Open,
        Closed,
    };

    void readAvailable();
    void take(const QByteArray &data);
    void handle(const Message &message);
    void letStreamLinger();

    Transport::ByteStream *m_stream;
    Http::Request m_request;
    QByteArray m_alreadyRead;
    FrameParser m_parser;
    State m_state = State::Open;
    bool m_started = false;
};

} // namespace DNotifier::WebSocket
