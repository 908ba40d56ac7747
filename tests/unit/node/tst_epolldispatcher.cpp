// The I/O threads' epoll event dispatcher under a real QThread: timers fire in deadline order
// and repeat, single-shot timers and stopped timers behave, a socket notifier fires when its
// descriptor becomes readable or writable and stops once disabled, a watcher registered
// directly hears what it asks for and nothing after unwatch(), work posted from another
// thread wakes a sleeping loop, and work the loop's thread posts to itself (which writes no
// wake-up) runs, also when posted just before the loop sleeps; an urgent descriptor is
// activated first in the turn however many others are ready, and a turn is bounded.

#include <node/transport/epolldispatcher.h>

#include <QMutex>
#include <QSocketNotifier>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <array>
#include <functional>
#include <memory>
#include <vector>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace DNotifier::Transport;

namespace {

// Runs `body` on a fresh thread whose loop uses the epoll dispatcher, and waits for `done`.
class EpollThread
{
public:
    EpollThread()
    {
        m_thread.setEventDispatcher(new EpollDispatcher);
        m_thread.start();
        m_context.moveToThread(&m_thread);
    }

    ~EpollThread()
    {
        m_thread.quit();
        m_thread.wait();
    }

    template<typename Body>
    void run(Body body)
    {
        QMetaObject::invokeMethod(&m_context, body, Qt::BlockingQueuedConnection);
    }

    QObject *context() { return &m_context; }

private:
    QThread m_thread;
    QObject m_context;
};

// Counts the reports it hears and drains what is readable, on the dispatcher's thread.
class CountingWatcher final : public DescriptorWatcher
{
public:
    explicit CountingWatcher(int fd)
        : m_fd(fd)
    { }

    void descriptorReady(quint32 events) override
    {
        if (events & EPOLLIN) {
            char buffer[16];
            while (::read(m_fd, buffer, sizeof buffer) > 0) { }
            ++readable;
        }
        if (events & EPOLLOUT) {
            ++writable;
        }
    }

    std::atomic<int> readable{0};
    std::atomic<int> writable{0};

private:
    int m_fd;
};

// Lets the loop go to sleep with nothing to wait for, then posts to it from this thread and
// waits for the work to run.
void postFromHereAfterItSleeps(EpollThread &thread)
{
    QThread::msleep(50);
    std::atomic<bool> ran{false};
    QMetaObject::invokeMethod(
            thread.context(), [&] { ran = true; }, Qt::QueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(ran.load(), 5000);
}

} // namespace

class tst_EpollDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void timersFireInDeadlineOrderAndRepeat();
    void stoppedTimerNeverFires();
    void notifierFiresOnReadableAndStopsWhenDisabled();
    void writeNotifierFiresOnAWritableSocket();
    void watcherHearsWhatItAsksForUntilUnwatched();
    void postedWorkWakesASleepingLoop();
    void workPostedByTheLoopItselfRuns();
    void urgentDescriptorGoesFirstAndATurnIsBounded();
};

void tst_EpollDispatcher::timersFireInDeadlineOrderAndRepeat()
{
    EpollThread thread;
    QList<QString> fired;
    QMutex lock;
    auto note = [&](const QString &what) {
        const QMutexLocker locker(&lock);
        fired.append(what);
    };
    QTimer *repeating = nullptr;
    thread.run([&] {
        QTimer::singleShot(60, thread.context(), [&] { note(u"60"_qs); });
        QTimer::singleShot(20, thread.context(), [&] { note(u"20"_qs); });
        QTimer::singleShot(0, thread.context(), [&] { note(u"0"_qs); });
        repeating = new QTimer(thread.context());
        repeating->setInterval(15);
        connect(repeating, &QTimer::timeout, thread.context(), [&] { note(u"tick"_qs); });
        repeating->start();
    });
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QMutexLocker locker(&lock);
                return fired.contains(u"60"_qs) && fired.count(u"tick"_qs) >= 3;
            }(),
            5000);
    thread.run([&] { delete repeating; });
    const QMutexLocker locker(&lock);
    QList<QString> once = fired;
    once.removeAll(u"tick"_qs);
    QCOMPARE(once, (QList<QString>{u"0"_qs, u"20"_qs, u"60"_qs}));
}

void tst_EpollDispatcher::stoppedTimerNeverFires()
{
    EpollThread thread;
    std::atomic<int> fired{0};
    std::atomic<bool> control{false};
    thread.run([&] {
        auto *timer = new QTimer(thread.context());
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, thread.context(), [&] { ++fired; });
        timer->start(30);
        timer->stop();
        QTimer::singleShot(100, thread.context(), [&] { control = true; });
    });
    QTRY_VERIFY_WITH_TIMEOUT(control.load(), 5000);
    QCOMPARE(fired.load(), 0);
}

void tst_EpollDispatcher::notifierFiresOnReadableAndStopsWhenDisabled()
{
    int pair[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
    EpollThread thread;
    std::atomic<int> activations{0};
    QSocketNotifier *notifier = nullptr;
    thread.run([&] {
        notifier = new QSocketNotifier(pair[0], QSocketNotifier::Read, thread.context());
        connect(notifier, &QSocketNotifier::activated, thread.context(), [&] {
            char buffer[16];
            while (::read(pair[0], buffer, sizeof buffer) > 0) { }
            ++activations;
        });
    });
    QCOMPARE(::write(pair[1], "x", 1), 1);
    QTRY_COMPARE_WITH_TIMEOUT(activations.load(), 1, 5000);
    QCOMPARE(::write(pair[1], "y", 1), 1);
    QTRY_COMPARE_WITH_TIMEOUT(activations.load(), 2, 5000);
    thread.run([&] { notifier->setEnabled(false); });
    QCOMPARE(::write(pair[1], "z", 1), 1);
    std::atomic<bool> control{false};
    thread.run([&] { QTimer::singleShot(100, thread.context(), [&] { control = true; }); });
    QTRY_VERIFY_WITH_TIMEOUT(control.load(), 5000);
    QCOMPARE(activations.load(), 2);
    thread.run([&] { delete notifier; });
    ::close(pair[0]);
    ::close(pair[1]);
}

void tst_EpollDispatcher::writeNotifierFiresOnAWritableSocket()
{
    int pair[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
    EpollThread thread;
    std::atomic<int> activations{0};
    thread.run([&] {
        auto *notifier = new QSocketNotifier(pair[0], QSocketNotifier::Write, thread.context());
        connect(notifier, &QSocketNotifier::activated, thread.context(), [&, notifier] {
            ++activations;
            // Off at its first report, as Qt's sockets do once their output is written.
            notifier->setEnabled(false);
        });
    });
    QTRY_COMPARE_WITH_TIMEOUT(activations.load(), 1, 5000);
    std::atomic<bool> control{false};
    thread.run([&] { QTimer::singleShot(100, thread.context(), [&] { control = true; }); });
    QTRY_VERIFY_WITH_TIMEOUT(control.load(), 5000);
    QCOMPARE(activations.load(), 1);
    ::close(pair[0]);
    ::close(pair[1]);
}

void tst_EpollDispatcher::watcherHearsWhatItAsksForUntilUnwatched()
{
    int pair[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
    EpollThread thread;
    CountingWatcher watcher(pair[0]);
    EpollDispatcher *dispatcher = nullptr;
    auto settle = [&] {
        std::atomic<bool> control{false};
        thread.run([&] { QTimer::singleShot(100, thread.context(), [&] { control = true; }); });
        QTRY_VERIFY_WITH_TIMEOUT(control.load(), 5000);
    };
    thread.run([&] {
        dispatcher = EpollDispatcher::ofThisThread();
        dispatcher->watch(pair[0], &watcher, true, false);
    });
    QVERIFY(dispatcher);
    QVERIFY(!EpollDispatcher::ofThisThread());
    // Readable only: an idle socket is always writable, yet that is not reported.
    QCOMPARE(::write(pair[1], "x", 1), 1);
    QTRY_COMPARE_WITH_TIMEOUT(watcher.readable.load(), 1, 5000);
    settle();
    QCOMPARE(watcher.writable.load(), 0);
    // Writable as well, once asked for.
    thread.run([&] { dispatcher->watch(pair[0], &watcher, true, true); });
    QTRY_VERIFY_WITH_TIMEOUT(watcher.writable.load() >= 1, 5000);
    // Neither: nothing more, though data waits.
    thread.run([&] { dispatcher->watch(pair[0], &watcher, false, false); });
    const int writableBefore = watcher.writable.load();
    settle();
    QCOMPARE(watcher.writable.load(), writableBefore);
    QCOMPARE(::write(pair[1], "y", 1), 1);
    settle();
    QCOMPARE(watcher.readable.load(), 1);
    QCOMPARE(watcher.writable.load(), writableBefore);
    // Reading again finds what waited; after unwatch() nothing is heard at all.
    thread.run([&] { dispatcher->watch(pair[0], &watcher, true, false); });
    QTRY_COMPARE_WITH_TIMEOUT(watcher.readable.load(), 2, 5000);
    thread.run([&] { dispatcher->unwatch(pair[0]); });
    QCOMPARE(::write(pair[1], "z", 1), 1);
    settle();
    QCOMPARE(watcher.readable.load(), 2);
    ::close(pair[0]);
    ::close(pair[1]);
}

void tst_EpollDispatcher::postedWorkWakesASleepingLoop()
{
    EpollThread thread;
    postFromHereAfterItSleeps(thread);
}

void tst_EpollDispatcher::workPostedByTheLoopItselfRuns()
{
    EpollThread thread;
    // A chain: each step posts the next from the loop's own thread; nothing else wakes it.
    constexpr int Steps = 1000;
    std::atomic<int> steps{0};
    std::function<void()> step = [&] {
        if (++steps < Steps) {
            QMetaObject::invokeMethod(thread.context(), step, Qt::QueuedConnection);
        }
    };
    thread.run([&] { QMetaObject::invokeMethod(thread.context(), step, Qt::QueuedConnection); });
    QTRY_COMPARE_WITH_TIMEOUT(steps.load(), Steps, 5000);

    // Posted from a slot of aboutToBlock, after the loop decided it may sleep.
    std::atomic<bool> ranBeforeSleep{false};
    thread.run([&] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = QObject::connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock,
                                       thread.context(), [&, connection] {
                                           QObject::disconnect(*connection);
                                           QMetaObject::invokeMethod(
                                                   thread.context(), [&] { ranBeforeSleep = true; },
                                                   Qt::QueuedConnection);
                                       });
    });
    QTRY_VERIFY_WITH_TIMEOUT(ranBeforeSleep.load(), 5000);

    // And another thread still wakes it once it sleeps.
    postFromHereAfterItSleeps(thread);
}

void tst_EpollDispatcher::urgentDescriptorGoesFirstAndATurnIsBounded()
{
    constexpr int Others = 200;
    std::vector<std::array<int, 2>> pairs(Others + 1);
    for (auto &pair : pairs) {
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair.data()), 0);
    }
    const int urgentFd = pairs.back()[0];
    EpollThread thread;
    std::vector<int> firstTurn;
    thread.run([&] {
        auto *dispatcher = EpollDispatcher::ofThisThread();
        QVERIFY(dispatcher);
        std::vector<std::unique_ptr<QSocketNotifier>> notifiers;
        for (const auto &pair : pairs) {
            const int fd = pair[0];
            auto notifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
            QObject::connect(notifier.get(), &QSocketNotifier::activated, [&firstTurn, fd] {
                char buffer[8];
                while (::read(fd, buffer, sizeof buffer) > 0) { }
                firstTurn.push_back(fd);
            });
            notifiers.push_back(std::move(notifier));
        }
        dispatcher->setUrgent(urgentFd, true);
        // Every descriptor ready, the urgent one last.
        for (const auto &pair : pairs) {
            QCOMPARE(::write(pair[1], "x", 1), 1);
        }
        dispatcher->processEvents(QEventLoop::AllEvents);
        dispatcher->setUrgent(urgentFd, false);
    });
    QVERIFY(!firstTurn.empty());
    QCOMPARE(firstTurn.front(), urgentFd);
    // The others wait for later turns beyond the bound (64 ready descriptors per turn).
    QVERIFY(firstTurn.size() <= 65);
    QVERIFY(firstTurn.size() > 1);
    for (const auto &pair : pairs) {
        ::close(pair[0]);
        ::close(pair[1]);
    }
}

QTEST_GUILESS_MAIN(tst_EpollDispatcher)
#include "tst_epolldispatcher.moc"
