#pragma once

// One publisher on a ClientPool. Pusher: signed POST /apps/ID/events requests (one event each)
// pipelined on one keep-alive HTTP connection, so they reach the node in order, like the
// Pusher server SDKs but without waiting for each answer. NATS: PUB operations, one per binary
// WebSocket frame, on one connection; with acknowledgements asked for (CONNECT verbose), each
// PUB is answered with +OK, as each HTTP request is with a response. Either way publish() only
// queues: the pool writes what a loop turn queued in one send().

#include "benchpayload.h"
#include "subscribers.h"

#include <cstdint>
#include <string>

namespace DNotifier::Bench {

class Publisher
{
public:
    Publisher(Target target, std::string channel, std::string eventName);

    // NATS only, before start(): CONNECT in verbose mode and count each +OK as an answer.
    void askNatsAcknowledgements() { m_natsAcks = true; }

    // Opens the connection; false with the pool's error when it could not start.
    bool start(ClientPool &pool);

    std::size_t id() const { return m_id; }

    bool isReady() const { return m_ready; }

    void opened(ClientPool &pool);
    void message(ClientPool &pool, std::string_view payload);
    void httpResponse(int status);

    // The connection is gone: nothing more is published on it.
    void closed();

    // Publishes on the publisher's channel, or on another one.
    void publish(ClientPool &pool, PayloadStamp stamp, std::size_t size);
    void publishTo(ClientPool &pool,
                   std::string_view channel,
                   PayloadStamp stamp,
                   std::size_t size);

    std::uint64_t published() const { return m_published; }

    // Whether published() can be compared with acknowledged(): Pusher, or NATS with +OK.
    bool isAcknowledged() const;

    // Answers received (HTTP responses, +OK), and how many were errors (not 2xx, -ERR).
    std::uint64_t acknowledged() const { return m_acknowledged; }

    // The connection was lost after it was opened or while it was being opened.
    bool lost() const { return m_lost; }

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
    bool m_natsAcks = false;
    bool m_lost = false;
    std::uint64_t m_published = 0;
    std::uint64_t m_acknowledged = 0;
    std::uint64_t m_rejected = 0;
    int m_lastRejectStatus = 0;
};

} // namespace DNotifier::Bench
