#include "stall.h"

#include "runtools.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <linux/netlink.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace DNotifier::Bench {

namespace {

constexpr std::int64_t CheckEveryNs = 100'000'000;
constexpr std::int64_t ResumeQuietNs = 1'000'000'000;

bool addressOf(int fd, bool peer, Ipv4Address &out)
{
    sockaddr_in address{};
    socklen_t length = sizeof address;
    auto *raw = reinterpret_cast<sockaddr *>(&address);
    if ((peer ? getpeername(fd, raw, &length) : getsockname(fd, raw, &length)) != 0
        || address.sin_family != AF_INET) {
        return false;
    }
    out.address = address.sin_addr.s_addr;
    out.port = ntohs(address.sin_port);
    return true;
}

// The server's end is still the server's while it is established and held by a process.
bool heldByServer(const TcpSocketState &state)
{
    return state.status == TcpSocketState::Status::Found && state.state == TCP_ESTABLISHED
           && state.inode != 0;
}

std::string describe(const TcpSocketState &state)
{
    // A lookup whose connection is gone finds the listener on the server's address, if any.
    if (state.status == TcpSocketState::Status::NotFound || state.state == TCP_LISTEN) {
        return "gone";
    }
    std::string text(tcpStateName(state.state));
    if (state.inode == 0) {
        text += ", no process";
    }
    return text;
}

} // namespace

StalledSubscriber::StalledSubscriber(Session &session)
    : m_session(session)
    , m_diag(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG))
{
    if (m_diag < 0) {
        m_diagError = "netlink socket: " + std::string(std::strerror(errno));
        return;
    }
    // The kernel answers while handling the request; the timeout only guards against a hang.
    timeval timeout{1, 0};
    setsockopt(m_diag, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
}

StalledSubscriber::~StalledSubscriber()
{
    if (m_diag >= 0) {
        ::close(m_diag);
    }
}

bool StalledSubscriber::stall()
{
    ClientPool &pool = m_session.pool();
    for (std::size_t id = 0; id < pool.connectionCount(); ++id) {
        if (m_session.subscribers().isSubscribed(id)) {
            m_id = id;
            break;
        }
    }
    if (m_id == ClientPool::NoConnection) {
        return false;
    }
    const int fd = pool.descriptor(m_id);
    if (!addressOf(fd, false, m_local) || !addressOf(fd, true, m_server)) {
        m_diagError = "getsockname/getpeername: " + std::string(std::strerror(errno));
    }
    socklen_t length = sizeof m_receiveBuffer;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &m_receiveBuffer, &length);
    if (!pool.stopReading(m_id)) {
        m_diagError = pool.lastError();
        m_id = ClientPool::NoConnection;
        return false;
    }
    m_session.watchEnd(m_id);
    m_deliveredBefore = m_session.subscribers().deliveriesOf(m_id);
    m_stalledNs = monotonicNs();
    timespec wall{};
    clock_gettime(CLOCK_REALTIME, &wall);
    m_stalledUnixMs = std::int64_t(wall.tv_sec) * 1000 + wall.tv_nsec / 1'000'000;
    m_nextCheckNs = m_stalledNs;
    return true;
}

TcpSocketState StalledSubscriber::serverEnd()
{
    if (m_diag < 0 || m_server.port == 0) {
        return {};
    }
    const std::string request = sockDiagRequest(m_server, m_local, ++m_sequence);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (sendto(m_diag, request.data(), request.size(), 0, reinterpret_cast<sockaddr *>(&kernel),
               sizeof kernel)
        < 0) {
        m_diagError = "netlink sendto: " + std::string(std::strerror(errno));
        return {};
    }
    std::array<char, 4096> reply;
    const ssize_t got = recv(m_diag, reply.data(), reply.size(), 0);
    if (got < 0) {
        m_diagError = "netlink recv: " + std::string(std::strerror(errno));
        return {};
    }
    const TcpSocketState state = parseSockDiagReply(std::string_view(reply.data(), size_t(got)));
    if (state.status == TcpSocketState::Status::Invalid) {
        m_diagError = "unreadable socket diagnostics answer";
    }
    return state;
}

void StalledSubscriber::check(std::int64_t now)
{
    if (!isStalled() || m_letGoNs != 0 || now < m_nextCheckNs) {
        return;
    }
    m_nextCheckNs = now + CheckEveryNs;
    const std::int64_t peerEnd = m_session.pool().peerEndSeenNs(m_id);
    if (peerEnd != 0) {
        m_letGoNs = peerEnd;
        m_letGoHow = "FIN or reset reached the client";
        return;
    }
    const TcpSocketState state = serverEnd();
    if (state.status != TcpSocketState::Status::Invalid && !heldByServer(state)) {
        m_letGoNs = now;
        m_letGoHow = describe(state);
    }
}

void StalledSubscriber::resume()
{
    if (!isStalled()) {
        return;
    }
    ClientPool &pool = m_session.pool();
    const TcpSocketState state = serverEnd();
    m_serverKernelBytes = state.status == TcpSocketState::Status::Found ? state.sendQueue : 0;
    m_serverStateAtResume = state.status == TcpSocketState::Status::Invalid ? "" : describe(state);
    int waiting = 0;
    if (ioctl(pool.descriptor(m_id), SIOCINQ, &waiting) == 0) {
        m_clientKernelBytes = std::uint32_t(waiting);
    }
    const std::uint64_t bytesBefore = pool.counters().bytesRead;
    const std::uint64_t sentBefore = pool.counters().bytesWritten;
    const std::uint64_t deliveredBefore = m_session.subscribers().deliveriesOf(m_id);
    m_resumedNs = monotonicNs();
    pool.resumeReading(m_id);
    std::uint64_t lastSeen = bytesBefore;
    std::int64_t lastProgress = m_resumedNs;
    while (!stopWasRequested() && pool.isOpen(m_id)
           && monotonicNs() - lastProgress < ResumeQuietNs) {
        pool.poll(10);
        if (pool.counters().bytesRead != lastSeen) {
            lastSeen = pool.counters().bytesRead;
            lastProgress = monotonicNs();
        }
    }
    if (!pool.isOpen(m_id)) {
        m_endNs = monotonicNs();
    }
    // Every other connection is idle by now (the publisher stopped, the others drained), so
    // what the pool read since is this connection's, give or take a ping.
    m_bytesAfterResume = pool.counters().bytesRead - bytesBefore;
    m_bytesSentAfterResume = pool.counters().bytesWritten - sentBefore;
    m_deliveredAfterResume = m_session.subscribers().deliveriesOf(m_id) - deliveredBefore;
}

void StalledSubscriber::report(std::uint64_t published) const
{
    if (m_id == ClientPool::NoConnection) {
        resultText("stall_error", m_diagError.empty() ? "no subscriber to stall"
                                                      : "could not stall: " + m_diagError);
        return;
    }
    resultCount("stall_at_unix_ms", m_stalledUnixMs);
    resultCount("stall_receive_buffer_bytes", m_receiveBuffer);
    resultCount("stall_delivered_before", std::int64_t(m_deliveredBefore));
    resultCount("stall_server_let_go", m_letGoNs != 0 ? 1 : 0);
    if (m_letGoNs != 0) {
        result("stall_server_let_go_after_s", elapsed(m_stalledNs, m_letGoNs));
        resultText("stall_server_let_go_how", m_letGoHow);
    }
    if (m_resumedNs != 0) {
        result("stall_resumed_after_s", elapsed(m_stalledNs, m_resumedNs));
        resultText("stall_server_end_at_resume", m_serverStateAtResume);
        resultCount("stall_client_kernel_bytes", m_clientKernelBytes);
        resultCount("stall_server_kernel_bytes", m_serverKernelBytes);
        resultCount("stall_bytes_after_resume", std::int64_t(m_bytesAfterResume));
        resultCount("stall_bytes_sent_after_resume", std::int64_t(m_bytesSentAfterResume));
        resultCount("stall_delivered_after_resume", std::int64_t(m_deliveredAfterResume));
        const std::uint64_t got = m_deliveredBefore + m_deliveredAfterResume;
        resultCount("stall_missed", std::int64_t(published > got ? published - got : 0));
        resultText("stall_end", m_endNs != 0 ? m_session.watchedEnd() : "open");
        if (m_endNs != 0) {
            result("stall_end_after_s", elapsed(m_stalledNs, m_endNs));
        }
    }
    if (!m_diagError.empty()) {
        resultText("stall_diag_error", m_diagError);
    }
}

} // namespace DNotifier::Bench
