#pragma once

// The event dispatcher of an I/O thread, on Linux epoll. Qt's Unix dispatcher hands the
// kernel every socket of the thread on every wakeup (poll), so each turn of a thread holding
// ten thousand idle connections costs ten thousand checks, and accepting slows down as
// connections grow. Here the kernel keeps the interest list and a wakeup costs only the sockets
// that are ready. A socket that stops waiting to write stays armed until the kernel next
// reports it, so the write-then-idle rhythm of a busy connection costs no system call.
// Timers: a deadline-ordered map, millisecond resolution, every timer type treated as precise.

#include <QAbstractEventDispatcher>
#include <QHash>
#include <QSet>

#include <atomic>
#include <map>

class QSocketNotifier;
struct epoll_event;

namespace DNotifier::Transport {

// Told when a descriptor it watches through EpollDispatcher::watch() is ready. For the many
// client connections of an I/O thread: a QSocketNotifier would cost each one a QObject and a
// signal connection for its whole life.
class DescriptorWatcher
{
public:
    // `events` as epoll reports them (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP).
    virtual void descriptorReady(quint32 events) = 0;

protected:
    ~DescriptorWatcher() = default;
};

class EpollDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollDispatcher(QObject *parent = nullptr);
    ~EpollDispatcher() override;

    // The dispatcher of the calling thread, or null when that thread runs another one.
    static EpollDispatcher *ofThisThread();

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    // Reports the descriptor's readiness to `watcher`: readable when `read`, writable when
    // `write`; both false stops the reports but keeps the descriptor known until unwatch().
    void watch(int fd, DescriptorWatcher *watcher, bool read, bool write);
    // Forgets the descriptor; call it before closing the descriptor.
    void unwatch(int fd);
    // An urgent descriptor is looked at on every loop turn before the others, however many of
    // them are ready: the cluster's peer links and listener, whose probes time out in a few
    // hundred milliseconds, on a thread that also serves clients. Clear it before the
    // descriptor is closed.
    void setUrgent(int fd, bool urgent);

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId,
                       qint64 interval,
                       Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    // The notifiers of one descriptor, by type (read, write, exception), or its watcher and
    // the events that watcher wants; and the events the kernel currently reports for it.
    struct Watch
    {
        QSocketNotifier *notifiers[3] = {nullptr, nullptr, nullptr};
        DescriptorWatcher *watcher = nullptr;
        quint32 watched = 0;
        quint32 armed = 0;
    };

    struct Timer
    {
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        std::multimap<qint64, int>::iterator queued;
    };

    static quint32 wantedEvents(const Watch &watch);
    // The epoll instance that holds the descriptor: the urgent one or the main one.
    int epollOf(int fd) const;
    void arm(int fd, Watch &watch, quint32 events);
    // Arms what the descriptor's notifiers and watcher want, or forgets it when nothing does
    // and `keep` is false.
    void rearm(int fd, bool keep);
    // Reads the event fd; only when epoll reported it, as only then has it a count.
    void drainWakeUps();
    // Milliseconds epoll may sleep: until the next timer, or forever (-1).
    int sleepMs() const;
    bool fireDueTimers();
    bool activateSockets(const ::epoll_event *events, int count);

    int m_epoll = -1;
    int m_urgentEpoll = -1;
    int m_wakeUpFd = -1;
    std::atomic<bool> m_wakeUpPending{false};
    // The thread running processEvents(), whose own posts need no event fd.
    std::atomic<Qt::HANDLE> m_loopThread{nullptr};
    std::atomic<bool> m_interrupted{false};
    QHash<int, Watch> m_watches;
    QSet<int> m_urgent;
    QHash<int, Timer> m_timers;
    std::multimap<qint64, int> m_deadlines;
};

} // namespace DNotifier::Transport
