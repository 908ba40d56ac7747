#pragma once

// The listening socket of the client port. It accepts on the main thread and hands each
// descriptor to an I/O worker in turn, so a socket is owned by one thread from birth.

#include <QList>
#include <QTcpServer>
#include <QTimer>

namespace DNotifier::Transport {

class IoWorker;
class SocketBudget;

class Acceptor final : public QTcpServer
{
    Q_OBJECT

public:
    Acceptor(QList<IoWorker *> workers, SocketBudget *budget, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void resumeWhenBelowBudget();

    QList<IoWorker *> m_workers;
    SocketBudget *m_budget;
    qsizetype m_next = 0;
    // Sockets closed unserved since the last pause, for the log line when accepting resumes.
    int m_shed = 0;
    QTimer m_resumeTimer;
};

} // namespace DNotifier::Transport
