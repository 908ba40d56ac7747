#include "socketstream.h"

#include "lingeringclose.h"

#include <QSslSocket>

namespace DNotifier::Transport {

SocketStream::SocketStream(QTcpSocket *socket, QObject *parent)
    : ByteStream(parent)
    , m_socket(socket)
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        m_gone = true;
        Q_EMIT disconnected();
    });
}

void SocketStream::startReading()
{
    connect(m_socket, &QTcpSocket::readyRead, this, &ByteStream::readyRead);
    if (m_socket->state() != QAbstractSocket::ConnectedState && !m_gone) {
        // Gone before anyone listened for it.
        m_gone = true;
        Q_EMIT disconnected();
    } else if (m_socket->bytesAvailable() > 0) {
        Q_EMIT readyRead();
    }
}

QByteArray SocketStream::readAll()
{
    return m_socket->readAll();
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
    disconnect(m_socket, &QTcpSocket::readyRead, this, &ByteStream::readyRead);
    lingeringClose(m_socket);
}

void SocketStream::abort()
{
    m_socket->abort();
}

} // namespace DNotifier::Transport
