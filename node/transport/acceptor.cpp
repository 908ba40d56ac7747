#include "acceptor.h"

#include "ioworker.h"
#include "socketbudget.h"

#include <node/logging.h>

#include <unistd.h>

namespace DNotifier::Transport {

namespace {

// Matches the kernel's somaxconn on our machines, so reconnect storms queue instead of
// being refused by the default backlog of 50.
constexpr int ListenBacklog = 4096;
constexpr int ResumeCheckMs = 100;

} // namespace

Acceptor::Acceptor(QList<IoWorker *> workers, SocketBudget *budget, QObject *parent)
    : QTcpServer(parent)
    , m_workers(std::move(workers))
    , m_budget(budget)
{
    setListenBacklogSize(ListenBacklog);
    m_resumeTimer.setInterval(ResumeCheckMs);
    connect(&m_resumeTimer, &QTimer::timeout, this, &Acceptor::resumeWhenBelowBudget);
}

void Acceptor::incomingConnection(qintptr descriptor)
{
    // QTcpServer keeps accepting everything queued in one wakeup even after pauseAccepting(),
    // so a socket over the budget is closed at once: the client sees a reset and retries.
    if (m_budget->isExhausted()) {
        ::close(int(descriptor));
        ++m_shed;
        return;
    }
    m_budget->take();
    if (m_budget->isExhausted() && !m_resumeTimer.isActive()) {
        qCWarning(lcTransport) << "socket budget reached, pausing accept"
                               << "open=" << m_budget->open() << "limit=" << m_budget->limit();
        pauseAccepting();
        m_resumeTimer.start();
    }
    IoWorker *worker = m_workers.at(m_next);
    m_next = (m_next + 1) % m_workers.size();
    QMetaObject::invokeMethod(
            worker, [worker, descriptor] { worker->adopt(descriptor); }, Qt::QueuedConnection);
}

void Acceptor::resumeWhenBelowBudget()
{
    // Shutdown closes the listener while accepting may be paused, and resuming a closed
    // QTcpServer dereferences its deleted socket engine.
    if (!isListening()) {
        m_resumeTimer.stop();
        return;
    }
    if (m_budget->isExhausted()) {
        return;
    }
    m_resumeTimer.stop();
    qCInfo(lcTransport) << "accepting again"
                        << "open=" << m_budget->open();
    resumeAccepting();
}

} // namespace DNotifier::Transport
