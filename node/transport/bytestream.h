#pragma once

// The bytes of one client connection after its WebSocket handshake, whatever carries them: the
// bare descriptor of a plain TCP connection (DescriptorStream) or a Qt socket for TLS
// (SocketStream). The WebSocket layer reads, writes and closes through this and nothing else.

#include <QByteArray>
#include <QObject>

namespace DNotifier::Transport {

class ByteStream : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    // Starts reporting input; readyRead may follow at once.
    virtual void startReading() = 0;
    // Everything that has arrived and was not read yet.
    virtual QByteArray readAll() = 0;
    // Queues bytes to send; they leave in order.
    virtual void write(const QByteArray &bytes) = 0;
    // Bytes written here and not yet handed to the kernel.
    virtual qint64 unsent() const = 0;
    // Sends what is queued, shuts down the sending side, then reads and discards until the
    // peer closes, for a few seconds at most; ends with disconnected().
    virtual void closeGracefully() = 0;
    virtual void abort() = 0;

Q_SIGNALS:
    void readyRead();
    // Once, when the connection is gone (peer closed, error, abort or the end of a close).
    void disconnected();
};

} // namespace DNotifier::Transport
