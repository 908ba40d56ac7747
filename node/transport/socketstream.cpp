#include "socketstream.h"

#include "lingeringclose.h"

#include <QSslSocket>

namespace DNotifier::Transport {

SocketStream::SocketStream(QTcpSocket *socket, QObject *parent)
    : ByteStream(parent)
    , m_socket(socket)
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::disconnected, this, &SocketStream::reportClosed);
    // Once for every reader the stream will have: the HTTP connection, then the WebSocket.
    connect(m_socket, &QTcpSocket::readyRead, this, &SocketStream::reportReadable);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &SocketStream::reportDrained);
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket)) {
        connect(tls, &QSslSocket::encryptedBytesWritten, this, &SocketStream::reportDrained);
    }
}

void SocketStream::reportDrained()
{
    if (m_reader && unsent() == 0) {
        m_reader->streamDrained();
    }
}

void SocketStream::startReading(StreamReader *reader)
{
    m_reader = reader;
    m_paused = false;
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        // Gone before anyone listened for it.
        reportClosed();
    } else if (m_socket->bytesAvailable() > 0) {
        m_reader->streamReadable();
    }
}

void SocketStream::reportReadable()
{
    if (m_reader && !m_paused) {
        m_reader->streamReadable();
    }
}

void SocketStream::reportClosed()
{
    if (m_gone) {
        return;
    }
    m_gone = true;
    if (m_reader) {
        m_reader->streamClosed();
    }
}

QByteArray SocketStream::readAll()
{
    return m_socket->readAll();
}

void SocketStream::setReadingPaused(bool paused)
{
    if (paused == m_paused) {
        return;
    }
    m_paused = paused;
    // Qt announces input once; what it buffered while paused is announced again here.
    if (!paused && m_socket->bytesAvailable() > 0) {
        QMetaObject::invokeMethod(this, &SocketStream::reportReadable, Qt::QueuedConnection);
    }
}

QHostAddress SocketStream::peerAddress() const
{
    return m_socket->peerAddress();
}

void SocketStream::write(const QByteArray &bytes)
{
    m_socket->write(bytes);
}

qint64 SocketStream::unsent() const
{
    const auto *tls = qobject_cast<const QSslSocket *>(m_socket);
    return m_socket->bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
}

void SocketStream::closeGracefully()
{
    m_reader = nullptr;
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    if (m_gone) {
        deleteLater();
        return;
    }
    lingeringClose(m_socket);
}

void SocketStream::abort()
{
    // The reader hears of it through disconnected(), if the socket was connected at all.
    m_socket->abort();
    reportClosed();
}

} // namespace DNotifier::Transport
