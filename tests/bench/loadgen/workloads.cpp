#include "workloads.h"

#include "procstats.h"
#include "runtools.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace DNotifier::Bench {

namespace {

constexpr std::size_t MaxPublisherQueue = 256 * 1024;
constexpr std::int64_t DrainQuietNs = 3'000'000'000;

std::string idleChannel(const Options &options, std::size_t index)
{
    if (options.sharedChannel) {
        return "idle";
    }
    return "idle-" + std::to_string(options.firstIndex + index);
}

struct Snapshot
{
    std::int64_t ns = 0;
    std::uint64_t deliveries = 0;
    std::uint64_t published = 0;
    std::uint64_t readCalls = 0;
    double ownCpu = 0;
    double serverCpu = 0;
};

Snapshot snapshot(Session &session, const Options &options)
{
    Snapshot shot;
    shot.ns = monotonicNs();
    shot.deliveries = session.subscribers().counters().deliveries;
    shot.published = session.publisher()->published();
    shot.readCalls = session.pool().counters().readCalls;
    shot.ownCpu = ownCpuSeconds();
    shot.serverCpu = options.serverPid > 0 ? processCpuSeconds(options.serverPid) : -1;
    return shot;
}

// Queues publications while fewer than window per subscriber are in flight.
void pumpPublisher(Session &session, const Options &options, std::uint64_t &sequence)
{
    Publisher &publisher = *session.publisher();
    const std::uint64_t receivers =
            std::max<std::size_t>(1, session.subscribers().subscribedCount());
    for (std::size_t i = 0; i < options.batch; ++i) {
        const std::uint64_t delivered = session.subscribers().counters().deliveries / receivers;
        if (publisher.published() - std::min(delivered, publisher.published()) >= options.window
            || session.pool().queuedBytes(publisher.id()) > MaxPublisherQueue) {
            return;
        }
        publisher.publish(session.pool(), {++sequence, monotonicNs()}, options.messageBytes);
    }
}

// Publishes through the warm-up and the measuring window; returns snapshots at the window's
// ends.
std::pair<Snapshot, Snapshot> publishForWindow(Session &session, const Options &options)
{
    std::uint64_t sequence = 0;
    const std::int64_t start = monotonicNs();
    const std::int64_t measureFrom = start + seconds(options.warmupSeconds);
    const std::int64_t measureTo = measureFrom + seconds(options.durationSeconds);
    Snapshot from;
    bool measuring = false;
    for (std::int64_t now = start; now < measureTo && !stopWasRequested(); now = monotonicNs()) {
        if (!measuring && now >= measureFrom) {
            from = snapshot(session, options);
            measuring = true;
        }
        pumpPublisher(session, options, sequence);
        session.pool().poll(1);
    }
    const Snapshot to = snapshot(session, options);
    return {measuring ? from : to, to};
}

// Stops publishing and waits until everything arrived (and, for HTTP, was answered) or nothing
// moved for a while.
void drain(Session &session, const Options &options)
{
    const Publisher &publisher = *session.publisher();
    std::uint64_t lastSeen = session.subscribers().counters().deliveries;
    std::int64_t lastProgress = monotonicNs();
    while (!stopWasRequested() && monotonicNs() - lastProgress < DrainQuietNs) {
        const std::uint64_t expected = (publisher.published() - publisher.rejected())
                                       * session.subscribers().subscribedCount();
        const bool answered = options.target.protocol != Protocol::Pusher
                              || publisher.acknowledged() >= publisher.published();
        if (lastSeen >= expected && answered) {
            return;
        }
        session.pool().poll(10);
        if (session.subscribers().counters().deliveries != lastSeen) {
            lastSeen = session.subscribers().counters().deliveries;
            lastProgress = monotonicNs();
        }
    }
}

void reportFanout(Session &session,
                  const Options &options,
                  const Snapshot &from,
                  const Snapshot &to)
{
    const double window = std::max(1e-9, elapsed(from.ns, to.ns));
    const Publisher &publisher = *session.publisher();
    const DeliveryCounters &counters = session.subscribers().counters();
    const std::uint64_t receivers = session.subscribers().subscribedCount();
    const std::uint64_t expected = (publisher.published() - publisher.rejected()) * receivers;
    resultCount("subscribers", std::int64_t(receivers));
    result("window_seconds", window);
    result("deliveries_per_s", double(to.deliveries - from.deliveries) / window);
    result("publish_per_s", double(to.published - from.published) / window);
    resultCount("published", std::int64_t(publisher.published()));
    resultCount("publish_rejected", std::int64_t(publisher.rejected()));
    resultCount("delivered", std::int64_t(counters.deliveries));
    resultCount("expected", std::int64_t(expected));
    result("delivered_ratio", expected > 0 ? double(counters.deliveries) / double(expected) : 0);
    resultCount("skipped", std::int64_t(counters.skipped));
    resultCount("reordered", std::int64_t(counters.reordered));
    resultCount("unreadable", std::int64_t(counters.unreadable));
    result("deliveries_per_read",
           double(to.deliveries - from.deliveries)
                   / double(std::max<std::uint64_t>(1, to.readCalls - from.readCalls)));
    result("loadgen_cpu", (to.ownCpu - from.ownCpu) / window);
    if (options.serverPid > 0) {
        result("server_cpu", (to.serverCpu - from.serverCpu) / window);
        resultCount("server_rss_kb", std::int64_t(processRssKb(options.serverPid)));
    }
    if (publisher.rejected() > 0) {
        resultCount("publish_last_reject_status", publisher.lastRejectStatus());
    }
}

void reportRamp(Session &session)
{
    const RampTimes &times = session.times();
    resultCount("upgraded", std::int64_t(session.upgraded()));
    resultCount("failed", std::int64_t(session.failures()));
    resultCount("first_connect_ns", std::int64_t(times.firstConnectNs));
    resultCount("last_upgrade_ns", std::int64_t(times.lastUpgradeNs));
    if (session.upgraded() > 0 && times.lastUpgradeNs > times.firstConnectNs) {
        result("upgrades_per_s",
               double(session.upgraded()) / elapsed(times.firstConnectNs, times.lastUpgradeNs));
    }
    if (!times.thousands.empty()) {
        result("upgrades_per_s_first_1k", 1000 / elapsed(times.firstConnectNs, times.thousands[0]));
    }
    if (times.thousands.size() >= 2) {
        const std::size_t last = times.thousands.size() - 1;
        result("upgrades_per_s_last_1k",
               1000 / elapsed(times.thousands[last - 1], times.thousands[last]));
    }
    // CPU this process used so far (the ramp, mostly), to tell whether it limited the rate.
    result("loadgen_cpu_seconds", ownCpuSeconds());
    result("connect_call_seconds", double(session.pool().counters().connectNs) / 1e9);
    if (!session.firstFailure().empty()) {
        resultText("first_failure", session.firstFailure());
    }
}

} // namespace

int runFanout(const Options &options)
{
    Session session(options);
    if (!session.pool().isValid() || !session.addPublisher(options.channel)) {
        std::fprintf(stderr, "dnotifier-loadgen: %s\n", session.pool().lastError().c_str());
        return 1;
    }
    session.setRampTarget(options.subscribers, &channelOf);
    const bool ready = runUntilReady(session, options.timeoutSeconds);
    reportRamp(session);
    if (!ready || session.subscribers().subscribedCount() != options.subscribers) {
        std::fprintf(stderr, "dnotifier-loadgen: %zu of %zu subscribers ready (%s)\n",
                     session.subscribers().subscribedCount(), options.subscribers,
                     session.firstFailure().c_str());
        return 1;
    }
    const auto [from, to] = publishForWindow(session, options);
    drain(session, options);
    reportFanout(session, options, from, to);
    std::fflush(stdout);
    closeAll(session);
    return 0;
}

int runConnections(const Options &options)
{
    Session session(options);
    if (!session.pool().isValid()) {
        std::fprintf(stderr, "dnotifier-loadgen: %s\n", session.pool().lastError().c_str());
        return 1;
    }
    session.setRampTarget(options.connections, &idleChannel);
    const bool complete = runUntilReady(session, options.timeoutSeconds);
    reportRamp(session);
    resultCount("subscribed", std::int64_t(session.subscribers().subscribedCount()));
    const bool all = complete && session.subscribers().subscribedCount() == options.connections;
    std::printf(all ? "READY\n" : "READY partial\n");
    std::fflush(stdout);
    while (options.hold && !stopWasRequested()) {
        session.pool().poll(1000);
    }
    if (options.hold) {
        resultCount("dropped_while_holding", std::int64_t(session.dropped()));
        resultCount("still_subscribed", std::int64_t(session.subscribers().subscribedCount()));
        std::fflush(stdout);
    }
    closeAll(session);
    return 0;
}

} // namespace DNotifier::Bench
