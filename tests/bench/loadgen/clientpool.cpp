#include "clientpool.h"

#include "pusherwire.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

namespace DNotifier::Bench {

namespace {

// A read that fills the whole chunk may leave more behind; a shorter one drained the socket, and
// edge-triggered epoll reports the next arrival as a new event.
constexpr std::size_t ReadChunk = 256 * 1024;
constexpr std::uint64_t MaxFramePayload = 16 * 1024 * 1024;
constexpr std::size_t KeptBufferCapacity = 64 * 1024;
constexpr std::uint32_t AllEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

std::string errorText(int error)
{
    return std::strerror(error);
}

// Gives back the memory of an emptied buffer that once held a large burst, so that thousands of
// idle connections do not each keep one.
void releaseIfLarge(std::string &buffer)
{
    if (buffer.empty() && buffer.capacity() > KeptBufferCapacity) {
        std::string().swap(buffer);
    }
}

} // namespace

std::int64_t monotonicNs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return std::int64_t(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

ClientPool::ClientPool(Endpoint endpoint, PoolHandler &handler)
    : m_endpoint(std::move(endpoint))
    , m_hostPort(m_endpoint.host + ':' + std::to_string(m_endpoint.port))
    , m_handler(handler)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
{
    if (getrandom(&m_random, sizeof m_random, 0) != sizeof m_random || m_random == 0) {
        m_random = std::uint64_t(monotonicNs()) | 1;
    }
    if (m_epoll < 0) {
        m_lastError = "epoll_create1: " + errorText(errno);
    }
}

ClientPool::~ClientPool()
{
    for (const auto &connection : m_connections) {
        if (connection->fd >= 0) {
            ::close(connection->fd);
        }
    }
    if (m_epoll >= 0) {
        ::close(m_epoll);
    }
}

std::size_t ClientPool::open(Transport transport, std::string path, std::uint16_t port)
{
    port = port != 0 ? port : m_endpoint.port;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (inet_pton(AF_INET, m_endpoint.host.c_str(), &address.sin_addr) != 1) {
        m_lastError = "not an IPv4 address: " + m_endpoint.host;
        return NoConnection;
    }
    const std::int64_t started = monotonicNs();
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        m_lastError = "socket: " + errorText(errno);
        return NoConnection;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!bindSource(fd)) {
        ::close(fd);
        return NoConnection;
    }
    if (connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0
        && errno != EINPROGRESS) {
        m_lastError = "connect: " + errorText(errno);
        ::close(fd);
        return NoConnection;
    }
    m_counters.connectNs += monotonicNs() - started;
    const std::size_t id = m_connections.size();
    epoll_event event{};
    event.events = AllEvents;
    event.data.u64 = id;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0) {
        m_lastError = "epoll_ctl: " + errorText(errno);
        ::close(fd);
        return NoConnection;
    }
    auto connection = std::make_unique<Connection>();
    connection->fd = fd;
    connection->transport = transport;
    connection->port = port;
    connection->path = std::move(path);
    m_connections.push_back(std::move(connection));
    ++m_openCount;
    return id;
}

void ClientPool::close(std::size_t id)
{
    Connection &connection = *m_connections[id];
    if (connection.phase == Phase::Closed) {
        return;
    }
    ::close(connection.fd);
    connection.fd = -1;
    connection.phase = Phase::Closed;
    std::string().swap(connection.pending);
    std::string().swap(connection.out);
    std::string().swap(connection.path);
    connection.assembler = MessageAssembler();
    --m_openCount;
}

void ClientPool::closeGracefully(std::size_t id)
{
    Connection &connection = *m_connections[id];
    if (connection.transport != Transport::WebSocket || connection.phase != Phase::Open) {
        abort(id, "closed");
        return;
    }
    if (connection.closeSent) {
        return;
    }
    const char normalClosure[] = {0x03, static_cast<char>(0xE8)};
    sendFrame(id, Opcode::Close, std::string_view(normalClosure, sizeof normalClosure));
    connection.closeSent = true;
}

void ClientPool::sendFrame(std::size_t id, Opcode opcode, std::string_view payload)
{
    Connection &connection = *m_connections[id];
    if (connection.phase == Phase::Closed || connection.closeSent) {
        return;
    }
    appendClientFrame(connection.out, opcode, payload, nextMask());
    queue(id, {});
}

void ClientPool::sendRaw(std::size_t id, std::string_view bytes)
{
    if (alive(id)) {
        queue(id, bytes);
    }
}

std::size_t ClientPool::queuedBytes(std::size_t id) const
{
    const Connection &connection = *m_connections[id];
    return connection.out.size() - connection.outSent;
}

bool ClientPool::isOpen(std::size_t id) const
{
    return m_connections[id]->phase == Phase::Open;
}

bool ClientPool::poll(int timeoutMs)
{
    std::array<epoll_event, 512> events;
    const int count = epoll_wait(m_epoll, events.data(), int(events.size()), timeoutMs);
    if (count < 0) {
        return errno != EINTR;
    }
    for (int i = 0; i < count; ++i) {
        handleEvent(events[std::size_t(i)].data.u64, events[std::size_t(i)].events);
    }
    flushQueued();
    return true;
}

void ClientPool::flushQueued()
{
    // Flushing may fail a connection, which never queues more, so the list only shrinks here.
    for (std::size_t i = 0; i < m_dirty.size(); ++i) {
        const std::size_t id = m_dirty[i];
        m_connections[id]->dirty = false;
        if (alive(id) && !m_connections[id]->stalled) {
            flush(id);
        }
    }
    m_dirty.clear();
}

bool ClientPool::watch(int fd)
{
    // Level-triggered, under an id no connection has: handleEvent() passes over it.
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = NoConnection;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0) {
        m_lastError = "epoll_ctl: " + errorText(errno);
        return false;
    }
    return true;
}

bool ClientPool::stopReading(std::size_t id)
{
    if (!alive(id) || !setEvents(id, EPOLLRDHUP | EPOLLET)) {
        return false;
    }
    m_connections[id]->stalled = true;
    return true;
}

void ClientPool::resumeReading(std::size_t id)
{
    // The kernel checks the socket again on the change, so what waits in it is reported at once.
    if (alive(id) && m_connections[id]->stalled && setEvents(id, AllEvents)) {
        m_connections[id]->stalled = false;
        if (queuedBytes(id) > 0) {
            queue(id, {});
        }
    }
}

bool ClientPool::setEvents(std::size_t id, std::uint32_t events)
{
    epoll_event event{};
    event.events = events;
    event.data.u64 = id;
    if (epoll_ctl(m_epoll, EPOLL_CTL_MOD, m_connections[id]->fd, &event) != 0) {
        m_lastError = "epoll_ctl: " + errorText(errno);
        return false;
    }
    return true;
}

void ClientPool::handleEvent(std::size_t id, std::uint32_t events)
{
    if (id == NoConnection || !alive(id)) {
        return;
    }
    if (m_connections[id]->stalled) {
        // Only the end of the stream (RDHUP) or an error (HUP, ERR: a reset) gets here.
        if (m_connections[id]->peerEndNs == 0) {
            m_connections[id]->peerEndNs = monotonicNs();
        }
        return;
    }
    if (m_connections[id]->phase == Phase::Connecting) {
        if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) {
            return;
        }
        finishConnect(id);
        if (!alive(id)) {
            return;
        }
    } else if ((events & EPOLLOUT) != 0 && queuedBytes(id) > 0) {
        flush(id);
        if (!alive(id)) {
            return;
        }
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
        readAll(id, (events & (EPOLLRDHUP | EPOLLHUP)) != 0);
    }
}

void ClientPool::finishConnect(std::size_t id)
{
    Connection &connection = *m_connections[id];
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        error = errno;
    }
    if (error != 0) {
        abort(id, "connect: " + errorText(error));
        return;
    }
    if (connection.transport == Transport::Http) {
        connection.phase = Phase::Open;
        m_handler.opened(*this, id);
        return;
    }
    const std::string key = webSocketKey(m_random * 0x9E3779B97F4A7C15ULL, nextMask() ^ m_random);
    connection.expectedAccept = webSocketAccept(key);
    connection.phase = Phase::Handshaking;
    const std::string hostPort = connection.port == m_endpoint.port
                                         ? m_hostPort
                                         : m_endpoint.host + ':' + std::to_string(connection.port);
    queue(id, upgradeRequest(hostPort, connection.path, key));
}

// A short read drained the socket, except when the peer's FIN came with the data: the edge
// that reported both is spent, so with peerClosed it reads on until the end of the stream.
void ClientPool::readAll(std::size_t id, bool peerClosed)
{
    if (m_scratch.size() < ReadChunk) {
        m_scratch.resize(ReadChunk);
    }
    for (;;) {
        Connection &connection = *m_connections[id];
        const ssize_t got = ::read(connection.fd, m_scratch.data(), ReadChunk);
        ++m_counters.readCalls;
        if (got == 0) {
            abort(id,
                  connection.closeSent ? "closed" : "closed by the server without a close frame");
            return;
        }
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                abort(id, "read: " + errorText(errno));
            }
            return;
        }
        const auto size = std::size_t(got);
        m_counters.bytesRead += size;
        if (connection.pending.empty()) {
            const std::string_view input(m_scratch.data(), size);
            const std::size_t used = process(id, input);
            if (alive(id)) {
                m_connections[id]->pending.assign(input.substr(used));
            }
        } else {
            connection.pending.append(m_scratch.data(), size);
            const std::size_t used = process(id, connection.pending);
            if (alive(id)) {
                std::string &pending = m_connections[id]->pending;
                pending.erase(0, used);
                releaseIfLarge(pending);
            }
        }
        if (!alive(id) || (size < ReadChunk && !peerClosed)) {
            return;
        }
    }
}

std::size_t ClientPool::process(std::size_t id, std::string_view input)
{
    Connection &connection = *m_connections[id];
    std::size_t used = 0;
    if (connection.phase == Phase::Handshaking) {
        const UpgradeCheck check = checkUpgradeResponse(input, connection.expectedAccept);
        if (check.status == UpgradeCheck::Status::NeedMore) {
            return 0;
        }
        if (check.status == UpgradeCheck::Status::Rejected) {
            abort(id, "upgrade rejected: " + check.reason);
            return 0;
        }
        used = check.headLength;
        connection.phase = Phase::Open;
        std::string().swap(connection.expectedAccept);
        m_handler.opened(*this, id);
        if (!alive(id)) {
            return used;
        }
    }
    if (connection.phase != Phase::Open) {
        abort(id, "data before the connection was open");
        return used;
    }
    if (connection.transport == Transport::Http) {
        return used + processHttp(id, input.substr(used));
    }
    return used + processFrames(id, input.substr(used));
}

std::size_t ClientPool::processFrames(std::size_t id, std::string_view input)
{
    std::size_t used = 0;
    while (alive(id)) {
        const FrameParse parse = parseServerFrame(input.substr(used), MaxFramePayload);
        if (parse.status == FrameParse::Status::NeedMore) {
            break;
        }
        if (parse.status == FrameParse::Status::Invalid) {
            abort(id, "bad frame: " + std::string(parse.error));
            break;
        }
        used += parse.consumed;
        const MessageAssembler::Message message = m_connections[id]->assembler.push(parse.frame);
        if (message.status == MessageAssembler::Message::Status::Invalid) {
            abort(id, "bad message: " + std::string(message.error));
            break;
        }
        if (message.status == MessageAssembler::Message::Status::Partial) {
            continue;
        }
        if (isControl(message.opcode)) {
            if (!handleControl(id, message)) {
                break;
            }
            continue;
        }
        m_handler.message(*this, id, message.opcode, message.payload);
    }
    return used;
}

std::size_t ClientPool::processHttp(std::size_t id, std::string_view input)
{
    std::size_t used = 0;
    while (alive(id)) {
        const HttpResponseParse parse = parseHttpResponse(input.substr(used));
        if (parse.status == HttpResponseParse::Status::NeedMore) {
            break;
        }
        if (parse.status == HttpResponseParse::Status::Invalid) {
            abort(id, "bad HTTP response");
            break;
        }
        used += parse.consumed;
        m_handler.httpResponse(*this, id, parse.httpStatus);
        if (parse.closes && alive(id)) {
            abort(id, "server closed the HTTP connection");
        }
    }
    return used;
}

// Answers a ping, ignores a pong, echoes a close and drops the connection. False when the
// connection is gone.
bool ClientPool::handleControl(std::size_t id, const MessageAssembler::Message &message)
{
    if (message.opcode == Opcode::Ping) {
        sendFrame(id, Opcode::Pong, message.payload);
        return true;
    }
    if (message.opcode != Opcode::Close) {
        return true;
    }
    Connection &connection = *m_connections[id];
    if (connection.closeSent) {
        // Our close was answered: wait for the server to end the TCP connection.
        return true;
    }
    const CloseInfo info = parseClosePayload(message.payload);
    const std::string reason = "closed by the server: code " + std::to_string(info.code) + " "
                               + std::string(info.reason);
    std::string echo;
    if (info.valid && info.code != 1005) {
        echo.push_back(static_cast<char>(info.code >> 8));
        echo.push_back(static_cast<char>(info.code & 0xFF));
    }
    appendClientFrame(connection.out, Opcode::Close, echo, nextMask());
    flush(id);
    abort(id, reason);
    return false;
}

void ClientPool::queue(std::size_t id, std::string_view bytes)
{
    Connection &connection = *m_connections[id];
    connection.out.append(bytes);
    if (!connection.dirty) {
        connection.dirty = true;
        m_dirty.push_back(id);
    }
}

void ClientPool::flush(std::size_t id)
{
    Connection &connection = *m_connections[id];
    if (connection.phase == Phase::Connecting) {
        return;
    }
    while (connection.outSent < connection.out.size()) {
        const ssize_t sent = ::send(connection.fd, connection.out.data() + connection.outSent,
                                    connection.out.size() - connection.outSent, MSG_NOSIGNAL);
        ++m_counters.writeCalls;
        if (sent < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                abort(id, "send: " + errorText(errno));
            }
            return;
        }
        connection.outSent += std::size_t(sent);
        m_counters.bytesWritten += std::size_t(sent);
    }
    connection.out.clear();
    connection.outSent = 0;
    releaseIfLarge(connection.out);
}

void ClientPool::abort(std::size_t id, std::string_view reason)
{
    if (!alive(id)) {
        return;
    }
    close(id);
    m_handler.closed(*this, id, reason);
}

bool ClientPool::bindSource(int fd)
{
    if (m_endpoint.sourceAddresses == 0) {
        return true;
    }
    // Bind the address only; the port is still chosen by connect(), per address pair.
    const int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl(INADDR_LOOPBACK + m_nextSource);
    m_nextSource = (m_nextSource + 1) % m_endpoint.sourceAddresses;
    if (bind(fd, reinterpret_cast<const sockaddr *>(&source), sizeof source) != 0) {
        m_lastError = "bind: " + errorText(errno);
        return false;
    }
    return true;
}

std::uint32_t ClientPool::nextMask()
{
    // xorshift64*: masking keys only need to differ from frame to frame on a loopback benchmark.
    m_random ^= m_random >> 12;
    m_random ^= m_random << 25;
    m_random ^= m_random >> 27;
    return std::uint32_t((m_random * 0x2545F4914F6CDD1DULL) >> 32);
}

} // namespace DNotifier::Bench
