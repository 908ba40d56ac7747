#pragma once

// One client's WebSocket after the opening handshake, on the byte stream of its connection:
// reads frames with FrameParser, answers pings, writes whole frames built elsewhere (the stream
// sends every frame queued in one loop turn in one write), and runs the closing handshake.
// Lives on its I/O thread; owns the stream. Not a QObject: it tells its listener directly, as
// signals would cost every connection a few hundred bytes for its whole life.

#include "frameparser.h"

#include <node/transport/bytestream.h>

#include <QByteArray>

namespace DNotifier::WebSocket {

// What a connection tells whoever serves it (a protocol session), on the connection's thread.
class ConnectionListener
{
public:
    virtual void textReceived(const QByteArray &utf8) = 0;
    virtual void binaryReceived() = 0;
    // Any bytes from the client, control frames included: the session's activity clock.
    virtual void bytesArrived() = 0;
    // Once, when the connection closed (either side) or was lost.
    virtual void disconnected() = 0;

protected:
    ~ConnectionListener() = default;
};

class Connection final : private Transport::StreamReader
{
public:
    // Takes the stream, whose 101 answer has been written; `alreadyRead` is what the client
    // sent after its upgrade request and was read with it. The request itself is not kept:
    // its query pairs alone would cost each connection a few hundred bytes for its whole life.
    Connection(Transport::ByteStream *stream, QByteArray alreadyRead);
    ~Connection();
    Q_DISABLE_COPY_MOVE(Connection)

    void setMaxMessageBytes(qint64 bytes) { m_parser.setMaxMessageBytes(bytes); }

    // Reads what arrived with or right after the handshake and reports to `listener` (which
    // may be null: nothing is reported) from here on.
    void start(ConnectionListener *listener);

    bool isOpen() const { return m_state == State::Open; }

    // A complete frame (see Transport::serverFrame); nothing once closing.
    void writeFrame(const QByteArray &wire);
    // Output not handed to the network yet, TLS records included.
    qint64 unsentBytes() const;

    // Sends a close frame with this code and reason (cut to 123 bytes of UTF-8); the connection
    // is closed from then on (the listener hears disconnected() before this returns), and its
    // TCP connection ends once the client has had time to read the frame.
    void close(quint16 code, const QString &reason);

private:
    enum class State {
        Open,
        Closed,
    };

    void streamReadable() override;
    void streamClosed() override;
    void streamInputEnded() override;
    void take(const QByteArray &data);
    void handle(const Message &message);
    void letStreamLinger();

    Transport::ByteStream *m_stream;
    QByteArray m_alreadyRead;
    FrameParser m_parser;
    ConnectionListener *m_listener = nullptr;
    State m_state = State::Open;
};

} // namespace DNotifier::WebSocket
