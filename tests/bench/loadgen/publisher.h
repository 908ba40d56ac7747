#pragma once

// One publisher on a ClientPool. Pusher: signed POST /apps/ID/events requests (one event each)
// pipelined on one keep-alive HTTP connection, so they reach the node in order, like the
// Pusher server SDKs but without waiting for each answer. NATS: PUB operations, one per binary
// WebSocket frame, on one connection. Either way publish() only queues: the pool writes what
// a loop turn queued in one send().

#include "benchpayload.h"
#include "subscribers.h"

#include <cstdint>
#include <string>

namespace DNotifier::Bench {

class Publisher
{
public:
    Publisher(Target target, std::string channel, std::string eventName);

    // Opens the connection; false with the pool's error when it could not start.
    bool start(ClientPool &pool);

    std::size_t id() const { return m_id; }

    bool isReady() const { return m_ready; }

    void opened(ClientPool &pool);
    void message(ClientPool &pool, std::string_view payload);
    void httpResponse(int status);

    void publish(ClientPool &pool, PayloadStamp stamp, std::size_t size);

    std::uint64_t published() const { return m_published; }

    // Pusher: answers received, and how many were not 2xx.
    std::uint64_t acknowledged() const { return m_acknowledged; }

    std::uint64_t rejected() const { return m_rejected; }

    int lastRejectStatus() const { return m_lastRejectStatus; }

private:
    Target m_target;
    std::string m_channel;
    std::string m_eventName;
    std::string m_hostPort;
    std::string m_natsStream;
    std::string m_buffer;
    std::size_t m_id = ClientPool::NoConnection;
    bool m_ready = false;
    std::uint64_t m_published = 0;
    std::uint64_t m_acknowledged = 0;
    std::uint64_t m_rejected = 0;
    int m_lastRejectStatus = 0;
};

} // namespace DNotifier::Bench
