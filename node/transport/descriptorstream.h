#pragma once

// A ByteStream on the bare descriptor of a plain TCP connection, from its accept on. An idle
// connection costs its entry in the thread's epoll dispatcher (no socket notifier, no signal
// connection) and a few dozen bytes: a QTcpSocket would keep a 32 KiB write buffer and a 16
// KiB read buffer for the rest of its life once it has used them, and setting one up and
// taking it apart cost a dozen system calls per connection. Output is queued per connection
// and sent once per event loop turn for every connection with output (one send() for all the
// frames a turn produced); what the kernel does not take waits here until the socket is
// writable again. Its close lingers like lingeringClose() does for a Qt socket.

#include "bytestream.h"
#include "epolldispatcher.h"

#include <QTimer>

#include <memory>

namespace DNotifier::Transport {

class SocketBudget;

class DescriptorStream final : public ByteStream, private DescriptorWatcher
{
    Q_OBJECT

public:
    // Takes the connected, non-blocking descriptor and its share of `budget`, given back when
    // the stream goes; `dispatcher` is the calling thread's.
    DescriptorStream(int fd, EpollDispatcher *dispatcher, SocketBudget *budget);
    ~DescriptorStream() override;

    void startReading(StreamReader *reader) override;
    QByteArray readAll() override;
    void setReadingPaused(bool paused) override;
    QHostAddress peerAddress() const override;
    void write(const QByteArray &bytes) override;

    qint64 unsent() const override { return m_outbox.size() - m_sent; }

    void closeGracefully() override;
    void abort() override;

    // Sends the queued output; called once per loop turn for every stream that has some.
    void flush();

private:
    void descriptorReady(quint32 events) override;
    // Tells the dispatcher what the stream waits for now.
    void updateWatch();
    void onReadable();
    void stopReading();
    void shutDownSending();
    void finish();

    int m_fd;
    EpollDispatcher *m_dispatcher;
    SocketBudget *m_budget;
    bool m_reading = false;
    bool m_waitingToWrite = false;
    QByteArray m_outbox;
    qsizetype m_sent = 0;
    bool m_flushQueued = false;
    // The peer sent its end of stream (or reading failed, m_readFailed).
    bool m_peerClosed = false;
    bool m_readFailed = false;
    // The reader heard of the end of input; the stream still writes until it is closed.
    bool m_inputEnded = false;
    bool m_closing = false;
    bool m_shutDown = false;
    qint64 m_discarded = 0;
    std::unique_ptr<QTimer> m_lingerTimer;
};

} // namespace DNotifier::Transport
