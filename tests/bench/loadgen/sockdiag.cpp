#include "sockdiag.h"

#include <array>
#include <cerrno>
#include <cstring>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

namespace DNotifier::Bench {

std::string sockDiagRequest(Ipv4Address local, Ipv4Address remote, std::uint32_t sequence)
{
    struct
    {
        nlmsghdr header;
        inet_diag_req_v2 body;
    } request;

    std::memset(&request, 0, sizeof request);
    request.header.nlmsg_len = sizeof request;
    request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    // No NLM_F_DUMP: one socket, looked up by its addresses.
    request.header.nlmsg_flags = NLM_F_REQUEST;
    request.header.nlmsg_seq = sequence;
    request.body.sdiag_family = AF_INET;
    request.body.sdiag_protocol = IPPROTO_TCP;
    request.body.idiag_states = ~0U;
    request.body.id.idiag_sport = htons(local.port);
    request.body.id.idiag_dport = htons(remote.port);
    request.body.id.idiag_src[0] = local.address;
    request.body.id.idiag_dst[0] = remote.address;
    request.body.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    request.body.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    return std::string(reinterpret_cast<const char *>(&request), sizeof request);
}

TcpSocketState parseSockDiagReply(std::string_view reply)
{
    TcpSocketState state;
    nlmsghdr header;
    if (reply.size() < sizeof header) {
        return state;
    }
    // Copied out: the buffer need not be aligned for the kernel's structures.
    std::memcpy(&header, reply.data(), sizeof header);
    if (header.nlmsg_len < sizeof header || header.nlmsg_len > reply.size()) {
        return state;
    }
    const std::string_view body = reply.substr(NLMSG_HDRLEN, header.nlmsg_len - NLMSG_HDRLEN);
    if (header.nlmsg_type == NLMSG_ERROR) {
        nlmsgerr error;
        if (body.size() >= sizeof error) {
            std::memcpy(&error, body.data(), sizeof error);
            if (error.error == -ENOENT) {
                state.status = TcpSocketState::Status::NotFound;
            }
        }
        return state;
    }
    inet_diag_msg message;
    if (header.nlmsg_type != SOCK_DIAG_BY_FAMILY || body.size() < sizeof message) {
        return state;
    }
    std::memcpy(&message, body.data(), sizeof message);
    state.status = TcpSocketState::Status::Found;
    state.state = message.idiag_state;
    state.receiveQueue = message.idiag_rqueue;
    state.sendQueue = message.idiag_wqueue;
    state.inode = message.idiag_inode;
    return state;
}

std::string_view tcpStateName(std::uint8_t state)
{
    // The kernel's numbering (include/net/tcp_states.h), from TCP_ESTABLISHED = 1.
    static constexpr std::array<std::string_view, 12> Names = {"UNKNOWN",    "ESTABLISHED",
                                                               "SYN_SENT",   "SYN_RECV",
                                                               "FIN_WAIT1",  "FIN_WAIT2",
                                                               "TIME_WAIT",  "CLOSE",
                                                               "CLOSE_WAIT", "LAST_ACK",
                                                               "LISTEN",     "CLOSING"};
    return state < Names.size() ? Names[state] : Names[0];
}

} // namespace DNotifier::Bench
