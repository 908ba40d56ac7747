#include "epolldispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>
#include <QTimerEvent>
#include <QVarLengthArray>

#include <cerrno>
#include <ctime>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace DNotifier::Transport {

namespace {

// A bound on one loop turn: a storm of TLS handshakes costs a millisecond or two per event, and
// timers and urgent descriptors wait for the turn to end.
constexpr int MaxEventsPerWakeUp = 64;

qint64 nowMs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

quint32 eventsOf(QSocketNotifier::Type type)
{
    switch (type) {
    case QSocketNotifier::Read:
        return EPOLLIN;
    case QSocketNotifier::Write:
        return EPOLLOUT;
    case QSocketNotifier::Exception:
        return EPOLLPRI;
    }
    return 0;
}

} // namespace

EpollDispatcher::EpollDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_urgentEpoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeUpFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_epoll < 0 || m_urgentEpoll < 0 || m_wakeUpFd < 0) {
        qFatal("cannot create the I/O thread's epoll instance: %s", strerror(errno));
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeUpFd;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeUpFd, &event);
    // An urgent descriptor that becomes ready wakes the loop through this one.
    event.data.fd = m_urgentEpoll;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_urgentEpoll, &event);
}

EpollDispatcher *EpollDispatcher::ofThisThread()
{
    return qobject_cast<EpollDispatcher *>(QAbstractEventDispatcher::instance());
}

EpollDispatcher::~EpollDispatcher()
{
    ::close(m_wakeUpFd);
    ::close(m_urgentEpoll);
    ::close(m_epoll);
}

bool EpollDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_loopThread.store(QThread::currentThreadId(), std::memory_order_relaxed);
    m_interrupted.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    // Events posted from here on set the flag again (and, from another thread, write the event
    // fd), so the wait below cannot miss them.
    m_wakeUpPending.store(false, std::memory_order_release);
    QCoreApplication::sendPostedEvents();
    if (m_interrupted.load(std::memory_order_relaxed)) {
        return false;
    }
    const bool mayWait = flags.testFlag(QEventLoop::WaitForMoreEvents)
                         && !m_wakeUpPending.load(std::memory_order_acquire);
    int timeout = mayWait ? sleepMs() : 0;
    if (timeout != 0) {
        Q_EMIT aboutToBlock();
        // Something this thread posted while told it was about to block.
        if (m_wakeUpPending.load(std::memory_order_acquire)) {
            timeout = 0;
        }
    }
    epoll_event events[MaxEventsPerWakeUp];
    int count = epoll_wait(m_epoll, events, MaxEventsPerWakeUp, timeout);
    if (count < 0) {
        count = 0;
    }
    if (timeout != 0) {
        Q_EMIT awake();
    }
    bool handled = false;
    if (!flags.testFlag(QEventLoop::ExcludeSocketNotifiers)) {
        if (!m_urgent.isEmpty()) {
            epoll_event urgent[MaxEventsPerWakeUp];
            const int urgentCount = epoll_wait(m_urgentEpoll, urgent, MaxEventsPerWakeUp, 0);
            handled = activateSockets(urgent, qMax(urgentCount, 0));
        }
        handled = activateSockets(events, count) || handled;
    }
    handled = fireDueTimers() || handled;
    return handled;
}

bool EpollDispatcher::activateSockets(const epoll_event *events, int count)
{
    // Ready descriptors first, then activation: a notifier's slot may delete other sockets, so
    // each one is looked up again just before it is activated.
    struct Ready
    {
        int fd;
        quint32 events;
    };

    QVarLengthArray<Ready, 64> ready;
    for (int i = 0; i < count; ++i) {
        if (events[i].data.fd == m_wakeUpFd) {
            drainWakeUps();
        } else if (events[i].data.fd != m_urgentEpoll) {
            ready.append({events[i].data.fd, events[i].events});
        }
    }
    bool handled = false;
    for (const Ready &entry : ready) {
        const quint32 failed = entry.events & (EPOLLERR | EPOLLHUP);
        if (const auto it = m_watches.find(entry.fd);
            it != m_watches.end() && it->watcher && (entry.events & (it->watched | failed))) {
            it->watcher->descriptorReady(entry.events);
            handled = true;
        }
        for (int type = QSocketNotifier::Read; type <= QSocketNotifier::Exception; ++type) {
            const quint32 interest = eventsOf(QSocketNotifier::Type(type));
            if (!(entry.events & interest) && !(failed && type != QSocketNotifier::Exception)) {
                continue;
            }
            const auto it = m_watches.find(entry.fd);
            if (it == m_watches.end()) {
                break;
            }
            QSocketNotifier *notifier = it->notifiers[type];
            if (!notifier) {
                continue;
            }
            QEvent activation(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &activation);
            handled = true;
        }
        // Reported for a notifier that is off by now: stop the kernel reporting it.
        const auto it = m_watches.find(entry.fd);
        if (it != m_watches.end() && (it->armed & ~wantedEvents(*it) & entry.events)) {
            arm(entry.fd, *it, wantedEvents(*it));
        }
    }
    return handled;
}

quint32 EpollDispatcher::wantedEvents(const Watch &watch)
{
    quint32 events = watch.watched;
    for (int type = QSocketNotifier::Read; type <= QSocketNotifier::Exception; ++type) {
        if (watch.notifiers[type]) {
            events |= eventsOf(QSocketNotifier::Type(type));
        }
    }
    return events;
}

void EpollDispatcher::arm(int fd, Watch &watch, quint32 events)
{
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    const int operation = watch.armed == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    const int epoll = epollOf(fd);
    if (epoll_ctl(epoll, operation, fd, &event) == 0) {
        watch.armed = events;
    } else if (errno == EEXIST) {
        epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event);
        watch.armed = events;
    }
}

int EpollDispatcher::epollOf(int fd) const
{
    return m_urgent.contains(fd) ? m_urgentEpoll : m_epoll;
}

void EpollDispatcher::setUrgent(int fd, bool urgent)
{
    if (fd < 0 || urgent == m_urgent.contains(fd)) {
        return;
    }
    const auto it = m_watches.find(fd);
    const quint32 armed = it != m_watches.end() ? it->armed : 0;
    if (armed != 0) {
        epoll_ctl(epollOf(fd), EPOLL_CTL_DEL, fd, nullptr);
    }
    if (urgent) {
        m_urgent.insert(fd);
    } else {
        m_urgent.remove(fd);
    }
    if (armed != 0) {
        epoll_event event{};
        event.events = armed;
        event.data.fd = fd;
        epoll_ctl(epollOf(fd), EPOLL_CTL_ADD, fd, &event);
    }
}

void EpollDispatcher::watch(int fd, DescriptorWatcher *watcher, bool read, bool write)
{
    Watch &watch = m_watches[fd];
    watch.watcher = watcher;
    watch.watched = (read ? quint32(EPOLLIN) : 0) | (write ? quint32(EPOLLOUT) : 0);
    rearm(fd, true);
}

void EpollDispatcher::unwatch(int fd)
{
    const auto it = m_watches.find(fd);
    if (it == m_watches.end()) {
        return;
    }
    it->watcher = nullptr;
    it->watched = 0;
    rearm(fd, false);
}

void EpollDispatcher::rearm(int fd, bool keep)
{
    const auto it = m_watches.find(fd);
    if (it == m_watches.end()) {
        return;
    }
    const quint32 wanted = wantedEvents(*it);
    if (wanted == 0 && !keep && !it->watcher) {
        // The descriptor may be closed next and its number reused: forget it entirely.
        if (it->armed != 0) {
            epoll_ctl(epollOf(fd), EPOLL_CTL_DEL, fd, nullptr);
        }
        m_watches.erase(it);
    } else if ((it->armed & wanted) != wanted) {
        // More than is armed; less is disarmed lazily, when the kernel next reports it.
        arm(fd, *it, it->armed | wanted);
    }
}

void EpollDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    m_watches[fd].notifiers[notifier->type()] = notifier;
    rearm(fd, true);
}

void EpollDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const auto it = m_watches.find(fd);
    if (it == m_watches.end() || it->notifiers[notifier->type()] != notifier) {
        return;
    }
    it->notifiers[notifier->type()] = nullptr;
    rearm(fd, false);
}

void EpollDispatcher::registerTimer(int timerId,
                                    qint64 interval,
                                    Qt::TimerType timerType,
                                    QObject *object)
{
    Timer timer;
    timer.intervalMs = interval;
    timer.type = timerType;
    timer.object = object;
    timer.queued = m_deadlines.emplace(nowMs() + interval, timerId);
    m_timers.insert(timerId, timer);
}

bool EpollDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end()) {
        return false;
    }
    m_deadlines.erase(it->queued);
    m_timers.erase(it);
    return true;
}

bool EpollDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object == object) {
            m_deadlines.erase(it->queued);
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it) {
        if (it->object == object) {
            timers.append(TimerInfo(it.key(), int(it->intervalMs), it->type));
        }
    }
    return timers;
}

int EpollDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend()) {
        return -1;
    }
    return int(qMax<qint64>(0, it->queued->first - nowMs()));
}

int EpollDispatcher::sleepMs() const
{
    if (m_deadlines.empty()) {
        return -1;
    }
    return int(qBound<qint64>(0, m_deadlines.begin()->first - nowMs(), qint64(INT_MAX)));
}

bool EpollDispatcher::fireDueTimers()
{
    const qint64 now = nowMs();
    // Each timer fires at most once per turn, so a zero-interval timer cannot starve sockets.
    QVarLengthArray<int, 16> due;
    for (auto it = m_deadlines.begin(); it != m_deadlines.end() && it->first <= now; ++it) {
        due.append(it->second);
    }
    for (const int id : due) {
        const auto it = m_timers.find(id);
        if (it == m_timers.end()) {
            continue;
        }
        m_deadlines.erase(it->queued);
        it->queued = m_deadlines.emplace(now + it->intervalMs, id);
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
    }
    return !due.isEmpty();
}

void EpollDispatcher::drainWakeUps()
{
    eventfd_t ignored = 0;
    eventfd_read(m_wakeUpFd, &ignored);
}

void EpollDispatcher::wakeUp()
{
    // The loop's own thread is awake and looks at the flag before it sleeps: only another
    // thread needs the event fd. This saves two system calls per event this thread posts to
    // itself, which is every hand-over between hub and worker when they share the thread.
    if (!m_wakeUpPending.exchange(true, std::memory_order_acq_rel)
        && QThread::currentThreadId() != m_loopThread.load(std::memory_order_relaxed)) {
        eventfd_write(m_wakeUpFd, 1);
    }
}

void EpollDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

} // namespace DNotifier::Transport
