#include "connection.h"

#include <node/transport/outgoingframe.h>
#include <node/transport/websocketclose.h>

namespace DNotifier::WebSocket {

namespace {

constexpr quint8 CloseOpcode = 0x8;
constexpr quint8 PongOpcode = 0xa;
// Until a session sets its app's limit.
constexpr qint64 DefaultMaxMessageBytes = 64 * 1024;

QByteArray closePayload(quint16 code, const QString &reason)
{
    QByteArray payload;
    payload.append(char(code >> 8));
    payload.append(char(code & 0xff));
    payload.append(Transport::closeReason(reason).toUtf8());
    return payload;
}

} // namespace

Connection::Connection(Transport::ByteStream *stream, QByteArray alreadyRead)
    : m_stream(stream)
    , m_alreadyRead(std::move(alreadyRead))
    , m_parser(DefaultMaxMessageBytes)
{ }

Connection::~Connection()
{
    delete m_stream;
}

void Connection::start(ConnectionListener *listener)
{
    m_listener = listener;
    if (!m_alreadyRead.isEmpty()) {
        take(std::exchange(m_alreadyRead, {}));
    }
    if (m_state == State::Open) {
        m_stream->startReading(this);
    }
}

void Connection::writeFrame(const QByteArray &wire)
{
    if (m_state == State::Open) {
        m_stream->write(wire);
    }
}

qint64 Connection::unsentBytes() const
{
    return m_stream ? m_stream->unsent() : 0;
}

void Connection::close(quint16 code, const QString &reason)
{
    if (m_state != State::Open) {
        return;
    }
    m_stream->write(Transport::serverFrame(CloseOpcode, closePayload(code, reason)));
    letStreamLinger();
}

void Connection::letStreamLinger()
{
    // The WebSocket is over once the close frame is queued: the session ends now, while the
    // stream, on its own, gives the client a few seconds to read the frame and close TCP.
    m_state = State::Closed;
    Transport::ByteStream *stream = std::exchange(m_stream, nullptr);
    // Before the close frame leaves: once the client has it, the node no longer lists the
    // connection anywhere (its session's end reaches the broker first).
    if (m_listener) {
        m_listener->disconnected();
    }
    stream->closeGracefully();
}

void Connection::streamReadable()
{
    if (m_state == State::Open) {
        take(m_stream->readAll());
    }
}

void Connection::streamInputEnded()
{
    // The client will send nothing more, not even a close frame, and it may be gone: the session
    // ends now (a crashed client must leave its presence channels at once). What is already
    // queued for it still goes out before TCP closes; answers the broker gives later do not.
    if (m_state == State::Open) {
        letStreamLinger();
    }
}

void Connection::streamClosed()
{
    if (m_state == State::Open) {
        m_state = State::Closed;
        if (m_listener) {
            m_listener->disconnected();
        }
    }
}

void Connection::take(const QByteArray &data)
{
    if (data.isEmpty() || m_state != State::Open) {
        return;
    }
    if (m_listener) {
        m_listener->bytesArrived();
    }
    QList<Message> messages;
    m_parser.feed(data, messages);
    for (const Message &message : std::as_const(messages)) {
        if (m_state != State::Open) {
            return;
        }
        handle(message);
    }
    if (const auto &violation = m_parser.violation(); violation && m_state == State::Open) {
        close(violation->code, violation->reason);
    }
}

void Connection::handle(const Message &message)
{
    switch (message.kind) {
    case Message::Kind::Text:
        if (m_listener) {
            m_listener->textReceived(message.payload);
        }
        break;
    case Message::Kind::Binary:
        if (m_listener) {
            m_listener->binaryReceived();
        }
        break;
    case Message::Kind::Ping:
        m_stream->write(Transport::serverFrame(PongOpcode, message.payload));
        break;
    case Message::Kind::Pong:
        break;
    case Message::Kind::Close: {
        // The client closed: echo its code (RFC 6455, section 5.5.1) and end the connection.
        const QByteArray echo = message.closeCode == CloseCode::NoStatus
                                        ? QByteArray()
                                        : closePayload(message.closeCode, {});
        m_stream->write(Transport::serverFrame(CloseOpcode, echo));
        letStreamLinger();
        break;
    }
    }
}

} // namespace DNotifier::WebSocket
