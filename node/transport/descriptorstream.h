#pragma once

// A ByteStream on the bare descriptor of a plain TCP connection, taken over from its QTcpSocket
// after the handshake. An idle connection then costs its entry in the thread's epoll dispatcher
// (no socket notifier, no signal connection) and a few dozen bytes:
// a QTcpSocket keeps a 32 KiB write buffer and a 16 KiB read buffer for the rest of its life
// once it has used them. Output is queued per connection and sent once per event loop turn for
// every connection with output (one send() for all the frames a turn produced); what the
// kernel does not take waits here until the socket is writable again. Its close lingers like
// lingeringClose() does for a Qt socket.

#include "bytestream.h"
#include "epolldispatcher.h"

#include <QTimer>

#include <memory>

class QTcpSocket;

namespace DNotifier::Transport {

class SocketBudget;

class DescriptorStream final : public ByteStream, private DescriptorWatcher
{
    Q_OBJECT

public:
    // Takes the connected, non-blocking descriptor; `dispatcher` is the calling thread's.
    DescriptorStream(int fd, EpollDispatcher *dispatcher);
    ~DescriptorStream() override;

    // Takes a plain socket's descriptor and anything it had read already (`alreadyRead`),
    // and disposes of the socket; its children other than Qt's own move to the stream. A TLS
    // socket, or any socket of a thread without the epoll dispatcher, stays a SocketStream.
    static ByteStream *fromSocket(QTcpSocket *socket, QByteArray *alreadyRead);

    void startReading(StreamReader *reader) override;
    QByteArray readAll() override;
    void write(const QByteArray &bytes) override;

    qint64 unsent() const override { return m_outbox.size() - m_sent; }

    void closeGracefully() override;

    // Sends the queued output; called once per loop turn for every stream that has some.
    void flush();

private:
    void descriptorReady(quint32 events) override;
    // Tells the dispatcher what the stream waits for now.
    void updateWatch();
    void onReadable();
    void shutDownSending();
    void finish();

    int m_fd;
    EpollDispatcher *m_dispatcher;
    // The connection's share of the socket budget, given back when the stream goes.
    SocketBudget *m_budget = nullptr;
    bool m_reading = false;
    bool m_waitingToWrite = false;
    QByteArray m_outbox;
    qsizetype m_sent = 0;
    bool m_flushQueued = false;
    bool m_peerClosed = false;
    bool m_closing = false;
    bool m_shutDown = false;
    qint64 m_discarded = 0;
    std::unique_ptr<QTimer> m_lingerTimer;
};

} // namespace DNotifier::Transport
