#include "descriptorstream.h"

#include "lingeringclose.h"
#include "socketbudget.h"

#include <QPointer>

#include <array>
#include <cerrno>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace DNotifier::Transport {

namespace {

// Input taken per readiness report; the level-triggered notifier reports the rest next turn,
// so one fast sender cannot hold the thread.
constexpr qsizetype MaxReadPerTurn = 256 * 1024;

// The streams of this thread with output to send, sent together at the next loop turn.
class TurnFlusher final : public QObject
{
public:
    static TurnFlusher &ofThisThread()
    {
        static thread_local std::unique_ptr<TurnFlusher> flusher(new TurnFlusher);
        return *flusher;
    }

    void schedule(DescriptorStream *stream)
    {
        m_waiting.push_back(stream);
        if (m_waiting.size() == 1) {
            QMetaObject::invokeMethod(this, &TurnFlusher::flushAll, Qt::QueuedConnection);
        }
    }

private:
    void flushAll()
    {
        const std::vector<QPointer<DescriptorStream>> waiting = std::move(m_waiting);
        m_waiting.clear();
        for (const QPointer<DescriptorStream> &stream : waiting) {
            if (stream) {
                stream->flush();
            }
        }
    }

    std::vector<QPointer<DescriptorStream>> m_waiting;
};

} // namespace

DescriptorStream::DescriptorStream(int fd, EpollDispatcher *dispatcher, SocketBudget *budget)
    : m_fd(fd)
    , m_dispatcher(dispatcher)
    , m_budget(budget)
{ }

DescriptorStream::~DescriptorStream()
{
    if (m_budget) {
        m_budget->release();
    }
    if (m_fd >= 0) {
        m_dispatcher->unwatch(m_fd);
        ::close(m_fd);
    }
}

void DescriptorStream::updateWatch()
{
    if (m_fd >= 0) {
        m_dispatcher->watch(m_fd, this, m_reading, m_waitingToWrite);
    }
}

void DescriptorStream::descriptorReady(quint32 events)
{
    const bool failed = events & (EPOLLERR | EPOLLHUP);
    if (failed && !m_reading && !m_waitingToWrite) {
        // Paused, and the connection is dead both ways: the kernel would report it every turn.
        finish();
        return;
    }
    if (m_reading && (failed || (events & EPOLLIN))) {
        onReadable();
    }
    // Reading may have ended the stream (finish() closed the descriptor).
    if (m_fd >= 0 && m_waitingToWrite && (failed || (events & EPOLLOUT))) {
        flush();
    }
}

void DescriptorStream::startReading(StreamReader *reader)
{
    m_reader = reader;
    if (m_fd < 0 || m_closing) {
        return;
    }
    if (m_inputEnded) {
        // A new reader (the WebSocket after an upgrade) hears it too, once its owner is set up.
        QMetaObject::invokeMethod(
                this,
                [this] {
                    if (m_reader && !m_closing) {
                        m_reader->streamInputEnded();
                    }
                },
                Qt::QueuedConnection);
        return;
    }
    m_reading = true;
    updateWatch();
}

void DescriptorStream::setReadingPaused(bool paused)
{
    // A closing stream reads to discard, paused or not; one whose input ended reads nothing.
    if (m_fd >= 0 && !m_closing && !m_inputEnded && m_reader && m_reading == paused) {
        m_reading = !paused;
        updateWatch();
    }
}

QHostAddress DescriptorStream::peerAddress() const
{
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (m_fd < 0 || ::getpeername(m_fd, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        return {};
    }
    return QHostAddress(reinterpret_cast<const sockaddr *>(&address));
}

QByteArray DescriptorStream::readAll()
{
    static thread_local std::array<char, 64 * 1024> buffer;
    QByteArray data;
    while (m_fd >= 0 && !m_peerClosed && data.size() < MaxReadPerTurn) {
        const ssize_t got = ::recv(m_fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (got > 0) {
            data.append(buffer.data(), qsizetype(got));
            if (std::size_t(got) < buffer.size()) {
                break;
            }
        } else if (got == 0) {
            m_peerClosed = true;
        } else if (errno == EINTR) {
            continue;
        } else {
            m_readFailed = errno != EAGAIN && errno != EWOULDBLOCK;
            m_peerClosed = m_readFailed;
            break;
        }
    }
    return data;
}

void DescriptorStream::onReadable()
{
    if (m_closing) {
        m_discarded += readAll().size();
        // A peer that only shut down its sending side still reads what is left to send.
        if (m_readFailed || (m_peerClosed && unsent() == 0) || m_discarded > MaxDiscardedBytes) {
            finish();
        } else if (m_peerClosed) {
            stopReading();
        }
        return;
    }
    if (m_reader) {
        m_reader->streamReadable();
    }
    if (m_readFailed) {
        finish();
    } else if (m_peerClosed && m_fd >= 0 && !m_closing && !m_inputEnded) {
        // The end of input is reported on every turn while it is watched.
        m_inputEnded = true;
        stopReading();
        if (m_reader) {
            m_reader->streamInputEnded();
        }
    }
}

void DescriptorStream::stopReading()
{
    if (m_reading) {
        m_reading = false;
        updateWatch();
    }
}

void DescriptorStream::write(const QByteArray &bytes)
{
    if (m_fd < 0 || m_shutDown) {
        return;
    }
    // The first frame of a turn is shared, not copied: a fan-out's frame is one buffer.
    m_outbox.append(bytes);
    if (!m_flushQueued && !m_waitingToWrite) {
        m_flushQueued = true;
        TurnFlusher::ofThisThread().schedule(this);
    }
}

void DescriptorStream::flush()
{
    m_flushQueued = false;
    while (m_fd >= 0 && m_sent < m_outbox.size()) {
        const ssize_t sent =
                ::send(m_fd, m_outbox.constData() + m_sent, std::size_t(m_outbox.size() - m_sent),
                       MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            m_sent += sent;
        } else if (sent < 0 && errno == EINTR) {
            continue;
        } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!m_waitingToWrite) {
                m_waitingToWrite = true;
                updateWatch();
            }
            return;
        } else {
            // The peer is gone (reset, broken pipe): nothing more can be said to it.
            finish();
            return;
        }
    }
    if (m_fd < 0) {
        return;
    }
    m_outbox.clear();
    m_sent = 0;
    if (m_waitingToWrite) {
        m_waitingToWrite = false;
        updateWatch();
    }
    if (m_closing) {
        shutDownSending();
        if (m_peerClosed) {
            finish();
        }
    } else if (m_reader) {
        m_reader->streamDrained();
    }
}

void DescriptorStream::closeGracefully()
{
    if (m_fd < 0 || m_closing) {
        return;
    }
    m_closing = true;
    m_reader = nullptr;
    m_lingerTimer = std::make_unique<QTimer>();
    m_lingerTimer->setSingleShot(true);
    connect(m_lingerTimer.get(), &QTimer::timeout, this, &DescriptorStream::finish);
    m_lingerTimer->start(LingerMs);
    m_reading = true;
    updateWatch();
    flush();
}

void DescriptorStream::abort()
{
    finish();
}

void DescriptorStream::shutDownSending()
{
    if (!m_shutDown && m_fd >= 0) {
        m_shutDown = true;
        ::shutdown(m_fd, SHUT_WR);
    }
}

void DescriptorStream::finish()
{
    if (m_fd < 0) {
        return;
    }
    // Forgotten before the descriptor closes, so the dispatcher cannot confuse it with the next
    // descriptor that gets its number.
    m_dispatcher->unwatch(m_fd);
    m_reading = false;
    m_waitingToWrite = false;
    if (m_lingerTimer) {
        m_lingerTimer->stop();
    }
    ::close(m_fd);
    m_fd = -1;
    m_outbox.clear();
    m_sent = 0;
    if (m_closing) {
        deleteLater();
    } else if (m_reader) {
        m_reader->streamClosed();
    }
}

} // namespace DNotifier::Transport
