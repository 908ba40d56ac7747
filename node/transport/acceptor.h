#pragma once

// The listening socket of the client port. It accepts on the main thread and hands each
// descriptor to an I/O worker in turn, so a socket is owned by one thread from birth.

#include <QList>
#include <QTcpServer>

namespace DNotifier::Transport {

class IoWorker;

class Acceptor final : public QTcpServer
{
    Q_OBJECT

public:
    explicit Acceptor(QList<IoWorker *> workers, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    QList<IoWorker *> m_workers;
    qsizetype m_next = 0;
};

} // namespace DNotifier::Transport
