#pragma once

// Many client connections to one server on one thread: non-blocking sockets under an
// edge-triggered epoll, each either a WebSocket client (upgrade, masked frames, ping answered,
// close echoed) or a plain HTTP/1.1 keep-alive connection with pipelined requests. Bytes queued
// while handling events are written once per loop turn, so a burst of frames to one socket
// leaves in one write. Linux only; not thread-safe: one pool per thread.

#include "wsframe.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace DNotifier::Bench {

std::int64_t monotonicNs();

struct Endpoint
{
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    // With N > 0, connections take their source address in turn from 127.0.0.1 to 127.0.0.N,
    // so the kernel's search for a free local port stays short when thousands are open: it
    // walks the ports in use towards the same address pair and grows slow past ~10,000.
    unsigned sourceAddresses = 0;
};

enum class Transport {
    WebSocket,
    Http,
};

class ClientPool;

// What the pool reports; called from ClientPool::poll(). A handler may queue bytes, open
// connections and close any connection from inside these calls. Payload views die on return.
class PoolHandler
{
public:
    virtual ~PoolHandler() = default;
    // The WebSocket upgrade was accepted, or the HTTP connection is established.
    virtual void opened(ClientPool &pool, std::size_t id) = 0;
    // A whole Text or Binary message.
    virtual void message(ClientPool &pool,
                         std::size_t id,
                         Opcode opcode,
                         std::string_view payload) = 0;
    virtual void httpResponse(ClientPool &pool, std::size_t id, int status) = 0;
    // The connection is gone: refused, reset, closed by the server or broken input.
    virtual void closed(ClientPool &pool, std::size_t id, std::string_view reason) = 0;
};

struct PoolCounters
{
    std::uint64_t readCalls = 0;
    std::uint64_t bytesRead = 0;
    std::uint64_t writeCalls = 0;
    std::uint64_t bytesWritten = 0;
    // Time spent in socket() and connect(): the kernel's search for a free local port.
    std::int64_t connectNs = 0;
};

class ClientPool final
{
public:
    static constexpr std::size_t NoConnection = ~std::size_t(0);

    ClientPool(Endpoint endpoint, PoolHandler &handler);
    ~ClientPool();
    ClientPool(const ClientPool &) = delete;
    ClientPool &operator=(const ClientPool &) = delete;

    bool isValid() const { return m_epoll >= 0; }

    // Starts a non-blocking connect, to the endpoint's port or to port when it is not 0 (a
    // publisher on another node of a cluster). Returns the new id, or NoConnection with
    // lastError() set (out of descriptors or ports, for example).
    std::size_t open(Transport transport, std::string path = "/", std::uint16_t port = 0);
    // Closes without telling the handler.
    void close(std::size_t id);
    // Closes and reports reason to the handler's closed().
    void abort(std::size_t id, std::string_view reason);
    // Starts the closing handshake (WebSocket close 1000) and lets the server close the TCP
    // connection first, so the TIME_WAIT state stays on the server side and does not hold
    // ephemeral ports of later runs. closed() reports it when done.
    void closeGracefully(std::size_t id);

    void sendFrame(std::size_t id, Opcode opcode, std::string_view payload);
    void sendRaw(std::size_t id, std::string_view bytes);
    std::size_t queuedBytes(std::size_t id) const;
    bool isOpen(std::size_t id) const;

    // Waits up to timeoutMs for events, handles them and writes what was queued. Returns false
    // when the wait was interrupted by a signal.
    bool poll(int timeoutMs);
    // Writes what was queued since the last poll() now, so that a publication queued after a
    // wake-up leaves at once instead of after the next wait.
    void flushQueued();
    // Adds fd (a timerfd) to the wait: poll() returns when it is readable and leaves reading it
    // to the caller, which must, since it stays readable until read.
    bool watch(int fd);

    // Makes id a client that stalls: its socket stays open, but nothing more is read from it or
    // written to it, so the kernel's buffers fill and then the server's. Only the server's FIN
    // or reset is still noticed (peerEndSeenNs()), without reading. resumeReading() reads on
    // from where it stopped, what the kernel kept first. False, with lastError(), when epoll
    // would not change.
    bool stopReading(std::size_t id);
    void resumeReading(std::size_t id);

    // When the FIN or reset of the server reached a connection that reads nothing; 0 before.
    std::int64_t peerEndSeenNs(std::size_t id) const { return m_connections[id]->peerEndNs; }

    // The socket, to look at (its addresses, its queues); the pool keeps owning it.
    int descriptor(std::size_t id) const { return m_connections[id]->fd; }

    const std::string &lastError() const { return m_lastError; }

    const PoolCounters &counters() const { return m_counters; }

    std::size_t openConnections() const { return m_openCount; }

    // Ids run from 0 to connectionCount() - 1, closed ones included.
    std::size_t connectionCount() const { return m_connections.size(); }

private:
    enum class Phase {
        Connecting,
        Handshaking,
        Open,
        Closed,
    };

    struct Connection
    {
        int fd = -1;
        Transport transport = Transport::WebSocket;
        Phase phase = Phase::Connecting;
        bool dirty = false;
        bool closeSent = false;
        bool stalled = false;
        std::uint16_t port = 0;
        std::int64_t peerEndNs = 0;
        std::string path;
        std::string expectedAccept;
        std::string pending;
        std::string out;
        std::size_t outSent = 0;
        MessageAssembler assembler;
    };

    void handleEvent(std::size_t id, std::uint32_t events);
    void finishConnect(std::size_t id);
    void readAll(std::size_t id, bool peerClosed);
    std::size_t process(std::size_t id, std::string_view input);
    std::size_t processFrames(std::size_t id, std::string_view input);
    std::size_t processHttp(std::size_t id, std::string_view input);
    bool handleControl(std::size_t id, const MessageAssembler::Message &message);
    void queue(std::size_t id, std::string_view bytes);
    void flush(std::size_t id);
    bool setEvents(std::size_t id, std::uint32_t events);
    std::uint32_t nextMask();
    bool bindSource(int fd);

    bool alive(std::size_t id) const { return m_connections[id]->phase != Phase::Closed; }

    Endpoint m_endpoint;
    std::string m_hostPort;
    PoolHandler &m_handler;
    int m_epoll = -1;
    std::vector<std::unique_ptr<Connection>> m_connections;
    std::vector<std::size_t> m_dirty;
    std::string m_scratch;
    std::string m_lastError;
    PoolCounters m_counters;
    std::size_t m_openCount = 0;
    std::uint64_t m_random = 0;
    unsigned m_nextSource = 0;
};

} // namespace DNotifier::Bench
