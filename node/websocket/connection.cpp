#include "connection.h"

#include <node/transport/lingeringclose.h>
#include <node/transport/outgoingframe.h>
#include <node/transport/websocketclose.h>

#include <QSslSocket>

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

Connection::Connection(QTcpSocket *socket, Http::Request request, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_request(std::move(request))
    , m_peerAddress(socket->peerAddress())
    , m_parser(DefaultMaxMessageBytes)
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &Connection::readAvailable);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        m_state = State::Closed;
        Q_EMIT disconnected();
    });
}

Connection::~Connection() = default;

void Connection::start()
{
    m_started = true;
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        // Gone during the handshake: the disconnected signal came before anyone listened.
        m_state = State::Closed;
        Q_EMIT disconnected();
        return;
    }
    readAvailable();
}

void Connection::writeFrame(const QByteArray &wire)
{
    if (m_state == State::Open) {
        m_socket->write(wire);
    }
}

qint64 Connection::unsentBytes() const
{
    const auto *tls = qobject_cast<const QSslSocket *>(m_socket);
    return m_socket->bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
}

void Connection::close(quint16 code, const QString &reason)
{
    if (m_state != State::Open) {
        return;
    }
    m_state = State::Closing;
    m_socket->write(Transport::serverFrame(CloseOpcode, closePayload(code, reason)));
    Transport::lingeringClose(m_socket);
}

void Connection::abort()
{
    m_socket->abort();
}

void Connection::readAvailable()
{
    if (!m_started || m_state != State::Open) {
        return;
    }
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty()) {
        return;
    }
    Q_EMIT bytesArrived();
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
        Q_EMIT textReceived(message.payload);
        break;
    case Message::Kind::Binary:
        Q_EMIT binaryReceived();
        break;
    case Message::Kind::Ping:
        m_socket->write(Transport::serverFrame(PongOpcode, message.payload));
        break;
    case Message::Kind::Pong:
        break;
    case Message::Kind::Close: {
        // The client closed: echo its code (RFC 6455, section 5.5.1) and end the connection.
        m_state = State::Closing;
        const QByteArray echo = message.closeCode == CloseCode::NoStatus
                                        ? QByteArray()
                                        : closePayload(message.closeCode, {});
        m_socket->write(Transport::serverFrame(CloseOpcode, echo));
        Transport::lingeringClose(m_socket);
        break;
    }
    }
}

} // namespace DNotifier::WebSocket
