#pragma once

// The bytes of one client connection from its accept on, whatever carries them: the bare
// descriptor of a plain TCP connection (DescriptorStream) or a Qt socket for TLS
// (SocketStream). The HTTP and WebSocket layers read, write and close through this and nothing
// else; the HTTP connection hands it to the WebSocket one at an upgrade.

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

namespace DNotifier::Transport {

// Hears what happens to a stream's input. A plain interface, not signals: each connection
// would otherwise carry a few hundred bytes of Qt connection bookkeeping for its whole life.
class StreamReader
{
public:
    // readAll() has something, or the peer has closed.
    virtual void streamReadable() = 0;
    // Once, when the connection is gone (reset, error or abort).
    virtual void streamClosed() = 0;
    // Once: the peer has ended its input (a TCP FIN: it half-closed, or closed and will reset
    // what is sent to it). The stream still sends until the reader closes it.
    virtual void streamInputEnded() = 0;

    // Everything written so far has been handed to the kernel (unsent() is 0 again).
    virtual void streamDrained() { }

protected:
    ~StreamReader() = default;
};

class ByteStream : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    // Starts reporting input to `reader`; it may hear of some at once.
    virtual void startReading(StreamReader *reader) = 0;
    // Everything that has arrived and was not read yet.
    virtual QByteArray readAll() = 0;
    // While paused the reader hears of no input and the stream takes none from the kernel, so
    // a client that sends faster than it is served is held back by TCP. Resuming reports what
    // waits on a later loop turn. A new reader (startReading) starts unpaused.
    virtual void setReadingPaused(bool paused) = 0;
    // The client's address; null once the connection is gone.
    virtual QHostAddress peerAddress() const = 0;
    // Queues bytes to send; they leave in order.
    virtual void write(const QByteArray &bytes) = 0;
    // Bytes written here and not yet handed to the kernel.
    virtual qint64 unsent() const = 0;
    // Sends what is queued, shuts down the sending side, then reads and discards until the
    // peer closes, for a few seconds at most. The reader hears nothing more, and the stream
    // deletes itself when it is done: the caller lets go of it.
    virtual void closeGracefully() = 0;
    // Ends the connection at once, dropping what is unsent; the reader hears streamClosed().
    virtual void abort() = 0;

protected:
    StreamReader *m_reader = nullptr;
};

} // namespace DNotifier::Transport
