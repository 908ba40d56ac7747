#include "acceptor.h"

#include "ioworker.h"

namespace DNotifier::Transport {

namespace {

// Matches the kernel's somaxconn on our machines, so reconnect storms queue instead of
// being refused by the default backlog of 50.
constexpr int ListenBacklog = 4096;

} // namespace

Acceptor::Acceptor(QList<IoWorker *> workers, QObject *parent)
    : QTcpServer(parent)
    , m_workers(std::move(workers))
{
    setListenBacklogSize(ListenBacklog);
}

void Acceptor::incomingConnection(qintptr descriptor)
{
    IoWorker *worker = m_workers.at(m_next);
    m_next = (m_next + 1) % m_workers.size();
    QMetaObject::invokeMethod(worker, [worker, descriptor] { worker->adopt(descriptor); });
}

} // namespace DNotifier::Transport
