#pragma once

// The kernel's socket diagnostics (NETLINK_SOCK_DIAG, what `ss` reads) for one TCP socket of
// this machine, named by its two addresses: the request to send and the reading of the answer.
// The load generator asks about the server's end of a connection to a server on loopback, whose
// socket lives in the same kernel: that end shows whether the server has let go of the
// connection (its descriptor closed or its sending side shut down) even while no FIN can reach
// a client that reads nothing. No I/O here.

#include <cstdint>
#include <string>
#include <string_view>

namespace DNotifier::Bench {

struct Ipv4Address
{
    // In network byte order, as in sockaddr_in.
    std::uint32_t address = 0;
    // In host byte order.
    std::uint16_t port = 0;
};

struct TcpSocketState
{
    enum class Status {
        Found,
        // No socket with those addresses: gone, and not even a listener on the local one.
        NotFound,
        Invalid,
    };

    Status status = Status::Invalid;
    // TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_LISTEN... (netinet/tcp.h)
    std::uint8_t state = 0;
    // Bytes received and not read by the socket's owner; bytes sent and not acknowledged or not
    // sent yet.
    std::uint32_t receiveQueue = 0;
    std::uint32_t sendQueue = 0;
    // 0 when no process holds the socket any more (an orphan finishing its close).
    std::uint32_t inode = 0;
};

// An exact lookup of the TCP socket whose own address is local and whose peer is remote. The
// kernel answers a lookup whose connection is gone with the listener on local, if any.
std::string sockDiagRequest(Ipv4Address local, Ipv4Address remote, std::uint32_t sequence);

// Reads the kernel's answer to sockDiagRequest(): the first message, an inet_diag_msg or an
// error (ENOENT: not found).
TcpSocketState parseSockDiagReply(std::string_view reply);

// "ESTABLISHED", "FIN_WAIT1", ... as `ss` names them; "UNKNOWN" past the last.
std::string_view tcpStateName(std::uint8_t state);

} // namespace DNotifier::Bench
