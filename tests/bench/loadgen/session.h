#pragma once

// One load generator run: the pool, its subscribers, its publishers (none, one, or several for
// the HTTP publish workload), and the ramp that opens subscribers with a bounded number of
// handshakes in flight and times the upgrades.

#include "clientpool.h"
#include "options.h"
#include "publisher.h"
#include "subscribers.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace DNotifier::Bench {

struct RampTimes
{
    std::int64_t firstConnectNs = 0;
    std::int64_t lastUpgradeNs = 0;
    std::int64_t lastSubscribedNs = 0;
    // When each 1,000th upgrade completed.
    std::vector<std::int64_t> thousands;
};

class Session final : public PoolHandler
{
public:
    explicit Session(const Options &options);

    ClientPool &pool() { return m_pool; }

    SubscriberSet &subscribers() { return m_subscribers; }

    // The first publisher, or null.
    Publisher *publisher() { return m_publishers.empty() ? nullptr : m_publishers.front().get(); }

    const std::vector<std::unique_ptr<Publisher>> &publishers() const { return m_publishers; }

    // Adds a publisher on channel, connected to the target's port or to port when it is not 0,
    // asking NATS for +OK answers with natsAcks; call before the first poll.
    bool addPublisher(const std::string &channel, std::uint16_t port = 0, bool natsAcks = false);

    bool publishersReady() const;

    // Opens subscribers up to target, channelOf(i) naming the channel of the i-th.
    void setRampTarget(std::size_t target, std::string (*channelOf)(const Options &, std::size_t));
    void pumpRamp();

    bool rampDone() const { return m_upgradeFailures + m_subscribed == m_target; }

    std::size_t upgraded() const { return m_upgraded; }

    std::size_t failures() const { return m_upgradeFailures; }

    std::size_t dropped() const { return m_dropped; }

    const std::string &firstFailure() const { return m_firstFailure; }

    const RampTimes &times() const { return m_times; }

    // Keeps the reason connection id ends with, for watchedEnd(): empty while it is open.
    void watchEnd(std::size_t id) { m_watched = id; }

    const std::string &watchedEnd() const { return m_watchedEnd; }

    void opened(ClientPool &pool, std::size_t id) override;
    void message(ClientPool &pool,
                 std::size_t id,
                 Opcode opcode,
                 std::string_view payload) override;
    void httpResponse(ClientPool &pool, std::size_t id, int status) override;
    void closed(ClientPool &pool, std::size_t id, std::string_view reason) override;

private:
    void noteFailure(std::string_view reason);
    Publisher *publisherOf(std::size_t id);

    const Options &m_options;
    ClientPool m_pool;
    SubscriberSet m_subscribers;
    std::vector<std::unique_ptr<Publisher>> m_publishers;
    std::string (*m_channelOf)(const Options &, std::size_t) = nullptr;
    std::size_t m_target = 0;
    std::size_t m_started = 0;
    std::size_t m_inFlight = 0;
    std::size_t m_upgraded = 0;
    std::size_t m_subscribed = 0;
    std::size_t m_upgradeFailures = 0;
    std::size_t m_dropped = 0;
    std::string m_firstFailure;
    std::size_t m_watched = ClientPool::NoConnection;
    std::string m_watchedEnd;
    RampTimes m_times;
};

} // namespace DNotifier::Bench
