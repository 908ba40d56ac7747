#include "descriptorstream.h"

#include "lingeringclose.h"
#include "socketbudget.h"
#include "socketstream.h"

#include <QPointer>
#include <QSslSocket>
#include <QTcpSocket>

#include <array>
#include <cerrno>
#include <vector>

#include <fcntl.h>
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

DescriptorStream::DescriptorStream(int fd, QObject *parent)
    : ByteStream(parent)
    , m_fd(fd)
    , m_readNotifier(fd, QSocketNotifier::Read)
{
    m_readNotifier.setEnabled(false);
    connect(&m_readNotifier, &QSocketNotifier::activated, this, &DescriptorStream::onReadable);
}

DescriptorStream::~DescriptorStream()
{
    if (m_budget) {
        m_budget->release();
    }
    if (m_fd >= 0) {
        m_readNotifier.setEnabled(false);
        if (m_writeNotifier) {
            m_writeNotifier->setEnabled(false);
        }
        ::close(m_fd);
    }
}

ByteStream *DescriptorStream::fromSocket(QTcpSocket *socket, QByteArray *alreadyRead)
{
    if (qobject_cast<QSslSocket *>(socket)) {
        return new SocketStream(socket);
    }
    const int fd = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        return new SocketStream(socket);
    }
    *alreadyRead = socket->readAll();
    auto *stream = new DescriptorStream(fd);
    // The connection's share of the socket budget lives as long as the connection.
    if (auto *token =
                socket->findChild<SocketBudgetToken *>(QString(), Qt::FindDirectChildrenOnly)) {
        stream->m_budget = token->takeShare();
    }
    socket->disconnect();
    socket->abort();
    socket->deleteLater();
    return stream;
}

void DescriptorStream::startReading(StreamReader *reader)
{
    m_reader = reader;
    if (m_fd >= 0 && !m_closing) {
        m_readNotifier.setEnabled(true);
    }
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
            m_peerClosed = errno != EAGAIN && errno != EWOULDBLOCK;
            break;
        }
    }
    return data;
}

void DescriptorStream::onReadable()
{
    if (m_closing) {
        m_discarded += readAll().size();
        if (m_peerClosed || m_discarded > MaxDiscardedBytes) {
            finish();
        }
        return;
    }
    if (m_reader) {
        m_reader->streamReadable();
    }
    if (m_peerClosed) {
        finish();
    }
}

void DescriptorStream::write(const QByteArray &bytes)
{
    if (m_fd < 0 || m_shutDown) {
        return;
    }
    // The first frame of a turn is shared, not copied: a fan-out's frame is one buffer.
    m_outbox.append(bytes);
    if (!m_flushQueued && !(m_writeNotifier && m_writeNotifier->isEnabled())) {
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
            if (!m_writeNotifier) {
                m_writeNotifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Write);
                connect(m_writeNotifier.get(), &QSocketNotifier::activated, this,
                        &DescriptorStream::onWritable);
            }
            m_writeNotifier->setEnabled(true);
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
    // Disabled, not deleted: this may run inside the notifier's own activation.
    if (m_writeNotifier) {
        m_writeNotifier->setEnabled(false);
    }
    if (m_closing) {
        shutDownSending();
    }
}

void DescriptorStream::onWritable()
{
    flush();
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
    m_readNotifier.setEnabled(true);
    flush();
}

void DescriptorStream::shutDownSending()
{
    if (!m_shutDown && m_fd >= 0) {
        m_shutDown = true;
        ::shutdown(m_fd, SHUT_WR);
    }
}

void DescriptorStream::abort()
{
    finish();
}

void DescriptorStream::finish()
{
    if (m_fd < 0) {
        return;
    }
    // Off before the descriptor closes, so the dispatcher forgets it before its number is
    // reused.
    m_readNotifier.setEnabled(false);
    if (m_writeNotifier) {
        m_writeNotifier->setEnabled(false);
    }
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
