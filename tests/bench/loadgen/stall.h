#pragma once

// The stalled subscriber of the fan-out with --stall: one subscriber stops reading its socket
// after the warm-up and keeps the connection open, as a client behind a dead network path or in
// a frozen browser tab would. While it reads nothing, no FIN can reach it past the bytes it
// does not read, so it watches the server's end of the connection instead (the kernel's socket
// diagnostics, sockdiag.h): a server that closes its descriptor or shuts its sending side down
// shows there at once. At the end it reads again, to see what the server had left for it and
// how the connection ends.

#include "session.h"
#include "sockdiag.h"

#include <cstdint>
#include <string>

namespace DNotifier::Bench {

class StalledSubscriber
{
public:
    explicit StalledSubscriber(Session &session);
    ~StalledSubscriber();
    StalledSubscriber(const StalledSubscriber &) = delete;
    StalledSubscriber &operator=(const StalledSubscriber &) = delete;

    // Stops reading the first subscriber that is subscribed; false when there is none or the
    // pool could not stop watching it.
    bool stall();

    // Between stall() and resume(): still subscribed, reading nothing.
    bool isStalled() const { return m_stalledNs != 0 && m_resumedNs == 0; }

    std::size_t id() const { return m_id; }

    std::int64_t stalledNs() const { return m_stalledNs; }

    // Looks at the server's end of the connection, at most every 100 ms.
    void check(std::int64_t now);

    // The server closed or shut down its end of the connection, or a FIN or reset arrived.
    bool serverLetGo() const { return m_letGoNs != 0; }

    // Reads again until the connection ends or nothing arrived for a second.
    void resume();

    // RESULT stall_* lines; published is what the publisher sent in all.
    void report(std::uint64_t published) const;

private:
    TcpSocketState serverEnd();

    Session &m_session;
    int m_diag = -1;
    std::size_t m_id = ClientPool::NoConnection;
    Ipv4Address m_local;
    Ipv4Address m_server;
    std::uint32_t m_sequence = 0;
    std::string m_diagError;
    std::int64_t m_stalledNs = 0;
    // The same moment on the wall clock, to set beside the servers' own logs.
    std::int64_t m_stalledUnixMs = 0;
    std::int64_t m_nextCheckNs = 0;
    std::int64_t m_letGoNs = 0;
    std::string m_letGoHow;
    std::int64_t m_resumedNs = 0;
    std::int64_t m_endNs = 0;
    int m_receiveBuffer = 0;
    std::uint64_t m_deliveredBefore = 0;
    // At resume(): bytes in the kernel, the client's receive queue and the server's send queue.
    std::uint32_t m_clientKernelBytes = 0;
    std::uint32_t m_serverKernelBytes = 0;
    std::string m_serverStateAtResume;
    std::uint64_t m_bytesAfterResume = 0;
    // What the pool wrote after resume(): a pong owed to a ping that waited in the buffers.
    std::uint64_t m_bytesSentAfterResume = 0;
    std::uint64_t m_deliveredAfterResume = 0;
};

} // namespace DNotifier::Bench
