#pragma once

// How many client sockets the process may hold. Qt 6.4 spins on accept() without reporting
// an error once the open-file limit is reached, so the acceptor stops accepting a little
// below that limit instead. Shared by the acceptor (takes) and the I/O threads (release).

#include <QObject>

#include <atomic>

namespace DNotifier::Transport {

class SocketBudget final
{
public:
    explicit SocketBudget(int limit)
        : m_limit(limit)
    { }

    // The largest budget that leaves room for files, timers and the listening sockets.
    static int fromOpenFileLimit();

    int limit() const { return m_limit; }

    // Grows the process's descriptor table now to hold the whole budget (up to 65,536). The
    // kernel doubles the table as descriptors are opened, and in a process with threads each
    // doubling waits inside accept() for an RCU grace period, 10 to 13 ms on our virtual
    // machines: a fresh node stalled about 40 ms while taking its first thousand clients.
    void reserveDescriptorTable() const;

    int open() const { return m_open.load(std::memory_order_relaxed); }

    bool isExhausted() const { return open() >= m_limit; }

    void take() { m_open.fetch_add(1, std::memory_order_relaxed); }

    void release() { m_open.fetch_sub(1, std::memory_order_relaxed); }

private:
    const int m_limit;
    std::atomic<int> m_open{0};
};

// Gives one socket's share back when the socket it is a child of is deleted, whichever part
// of the node owns the socket by then.
class SocketBudgetToken final : public QObject
{
    Q_OBJECT

public:
    SocketBudgetToken(SocketBudget *budget, QObject *socket)
        : QObject(socket)
        , m_budget(budget)
    { }

    ~SocketBudgetToken() override { m_budget->release(); }

private:
    SocketBudget *const m_budget;
};

} // namespace DNotifier::Transport
