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
}

void SocketStream::startReading(StreamReader *reader)
{
    m_reader = reader;
    connect(m_socket, &QTcpSocket::readyRead, this, [this] {
        if (m_reader) {
            m_reader->streamReadable();
        }
    });
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        // Gone before anyone listened for it.
        reportClosed();
    } else if (m_socket->bytesAvailable() > 0) {
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
    disconnect(m_socket, &QTcpSocket::readyRead, this, nullptr);
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    if (m_gone) {
        deleteLater();
        return;
    }
    lingeringClose(m_socket);
}

} // namespace DNotifier::Transport
