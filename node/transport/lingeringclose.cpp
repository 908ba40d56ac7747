#include "lingeringclose.h"

#include <QSslSocket>
#include <QTimer>

#include <sys/socket.h>

namespace DNotifier::Transport {

namespace {

class Linger final : public QObject
{
public:
    explicit Linger(QTcpSocket *socket)
        : QObject(socket)
        , m_socket(socket)
    {
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, socket, &QTcpSocket::abort);
        m_timer.start(LingerMs);
        // Queued, every one: a TLS socket emits these in the middle of its own record
        // processing, and flushing or aborting it from there freed its TLS state under that
        // processing (a client that reset the connection then crashed the node). For the same
        // reason the first look waits for the next loop turn: this may run inside a readyRead.
        connect(socket, &QTcpSocket::readyRead, this, &Linger::discard, Qt::QueuedConnection);
        connect(socket, &QTcpSocket::bytesWritten, this, &Linger::shutDownWhenWritten,
                Qt::QueuedConnection);
        if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
            connect(tls, &QSslSocket::encryptedBytesWritten, this, &Linger::shutDownWhenWritten,
                    Qt::QueuedConnection);
        }
        QMetaObject::invokeMethod(
                this,
                [this] {
                    discard();
                    shutDownWhenWritten();
                },
                Qt::QueuedConnection);
    }

private:
    void discard()
    {
        if (m_socket->state() != QAbstractSocket::ConnectedState) {
            return;
        }
        m_discarded += m_socket->skip(m_socket->bytesAvailable());
        if (m_discarded > MaxDiscardedBytes) {
            m_socket->abort();
        }
    }

    void shutDownWhenWritten()
    {
        // Qt 6.4 counts plaintext written to a TLS socket in neither bytesToWrite() nor
        // encryptedBytesToWrite() until it is encrypted, which it defers to a later turn; a
        // shutdown on those counts alone overtook the answer to a "Connection: close" request.
        // Flushing encrypts and sends what is pending first, so the counts are true.
        if (m_shutDown || m_socket->state() != QAbstractSocket::ConnectedState) {
            return;
        }
        auto *tls = qobject_cast<QSslSocket *>(m_socket);
        if (tls) {
            tls->flush();
        }
        const qint64 unsent = m_socket->bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
        // The flush may have found the connection reset.
        if (unsent == 0 && m_socket->state() == QAbstractSocket::ConnectedState) {
            m_shutDown = true;
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
        }
    }

    QTcpSocket *m_socket;
    QTimer m_timer;
    qint64 m_discarded = 0;
    bool m_shutDown = false;
};

} // namespace

void lingeringClose(QTcpSocket *socket)
{
    new Linger(socket);
}

} // namespace DNotifier::Transport
