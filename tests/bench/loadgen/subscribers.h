#pragma once

// The subscriber side of both protocol personalities on top of a ClientPool: connect, subscribe
// to one channel (Pusher) or subject (NATS), keep the connection alive and count what arrives.
// Pusher: wait for pusher:connection_established, send pusher:subscribe, wait for
// pusher_internal:subscription_succeeded, answer pusher:ping. NATS: wait for INFO, send
// CONNECT, SUB and PING, count the PONG as the subscription being in place, answer PING.

#include "benchpayload.h"
#include "clientpool.h"
#include "histogram.h"
#include "pusherwire.h"

#include <cstdint>
#include <string>
#include <vector>

namespace DNotifier::Bench {

enum class Protocol {
    Pusher,
    Nats,
};

struct Target
{
    Protocol protocol = Protocol::Pusher;
    Endpoint endpoint;
    PusherApp app;
};

// Counters summed over all subscribers.
struct DeliveryCounters
{
    std::uint64_t deliveries = 0;
    // Sequence numbers skipped (lost or not yet seen) and arriving at or below one already seen.
    std::uint64_t skipped = 0;
    std::uint64_t reordered = 0;
    std::uint64_t unreadable = 0;
    // Deliveries of publications sent at or after the start of the measuring window
    // (measureFrom()), each also recorded in the latency histogram.
    std::uint64_t measured = 0;
};

class SubscriberSet
{
public:
    SubscriberSet(Target target, std::string eventName);

    // The WebSocket path to open for a subscriber.
    std::string path() const;

    // Adopts connection id (opened by the caller) as a subscriber of channel.
    void add(std::size_t id, std::string channel);
    bool owns(std::size_t id) const;

    // Both return true when this call completed the subscription of id.
    bool opened(ClientPool &pool, std::size_t id);
    bool message(ClientPool &pool, std::size_t id, std::string_view payload);
    // A connection that failed, for the caller's bookkeeping; false when id is not ours.
    bool closed(std::size_t id);

    bool isSubscribed(std::size_t id) const;

    // Messages delivered to id, also after it closed; part of counters().deliveries.
    std::uint64_t deliveriesOf(std::size_t id) const;

    // From now on, every delivery of a publication sent at or after sentFromNs is counted as
    // measured and its latency (read back minus the send time in the payload, both
    // CLOCK_MONOTONIC on this machine) recorded in histogram, which must outlive the set.
    void measureFrom(std::int64_t sentFromNs, LatencyHistogram &histogram);

    std::size_t subscribedCount() const { return m_subscribed; }

    const DeliveryCounters &counters() const { return m_counters; }

    // The last error a server sent (pusher:error, -ERR), for the report.
    const std::string &lastServerError() const { return m_lastServerError; }

private:
    struct Subscriber
    {
        std::string channel;
        std::string natsStream;
        std::uint64_t lastSequence = 0;
        std::uint64_t deliveries = 0;
        bool member = false;
        bool subscribed = false;
    };

    bool pusherMessage(ClientPool &pool, std::size_t id, std::string_view text);
    bool natsMessage(ClientPool &pool, std::size_t id, std::string_view bytes);
    bool natsOps(ClientPool &pool, std::size_t id, std::string_view stream, std::size_t &used);
    void delivered(Subscriber &subscriber, std::string_view payload);
    bool markSubscribed(Subscriber &subscriber);

    Target m_target;
    std::string m_eventName;
    std::vector<Subscriber> m_subscribers;
    DeliveryCounters m_counters;
    std::size_t m_subscribed = 0;
    std::string m_scratch;
    std::string m_lastServerError;
    LatencyHistogram *m_histogram = nullptr;
    std::int64_t m_measureFromNs = 0;
};

} // namespace DNotifier::Bench
