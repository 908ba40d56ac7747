#include "workloads.h"

#include "procstats.h"
#include "runtools.h"
#include "stall.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

namespace DNotifier::Bench {

namespace {

constexpr std::size_t MaxPublisherQueue = 256 * 1024;

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

// The subscribers that read what they get, and their deliveries: all of them, less the stalled
// one while it stalls, so that its silence neither holds the publisher back nor counts as loss.
std::uint64_t readingCount(Session &session, const StalledSubscriber *stalled)
{
    const std::uint64_t all = session.subscribers().subscribedCount();
    return stalled != nullptr && stalled->isStalled() ? all - 1 : all;
}

std::uint64_t readingDeliveries(Session &session, const StalledSubscriber *stalled)
{
    const std::uint64_t all = session.subscribers().counters().deliveries;
    if (stalled == nullptr || !stalled->isStalled()) {
        return all;
    }
    return all - session.subscribers().deliveriesOf(stalled->id());
}

Snapshot snapshot(Session &session, const Options &options, const StalledSubscriber *stalled)
{
    Snapshot shot;
    shot.ns = monotonicNs();
    shot.deliveries = readingDeliveries(session, stalled);
    shot.published = session.publisher()->published();
    shot.readCalls = session.pool().counters().readCalls;
    shot.ownCpu = ownCpuSeconds();
    shot.serverCpu = options.serverPid > 0 ? processCpuSeconds(options.serverPid) : -1;
    return shot;
}

// Queues publications while fewer than window per subscriber are in flight.
void pumpPublisher(Session &session,
                   const Options &options,
                   const StalledSubscriber *stalled,
                   std::uint64_t &sequence)
{
    Publisher &publisher = *session.publisher();
    const std::uint64_t receivers = std::max<std::uint64_t>(1, readingCount(session, stalled));
    for (std::size_t i = 0; i < options.batch; ++i) {
        const std::uint64_t delivered = readingDeliveries(session, stalled) / receivers;
        if (publisher.published() - std::min(delivered, publisher.published()) >= options.window
            || session.pool().queuedBytes(publisher.id()) > MaxPublisherQueue) {
            return;
        }
        publisher.publish(session.pool(), {++sequence, monotonicNs()}, options.messageBytes);
    }
}

// Publishes through the warm-up and the measuring window; returns snapshots at the window's
// ends. The stalled subscriber, if any, stops reading as the window opens.
std::pair<Snapshot, Snapshot> publishForWindow(Session &session,
                                               const Options &options,
                                               StalledSubscriber *stalled,
                                               std::uint64_t &sequence)
{
    const std::int64_t start = monotonicNs();
    const std::int64_t measureFrom = start + seconds(options.warmupSeconds);
    const std::int64_t measureTo = measureFrom + seconds(options.durationSeconds);
    Snapshot from;
    bool measuring = false;
    for (std::int64_t now = start; now < measureTo && !stopWasRequested(); now = monotonicNs()) {
        if (!measuring && now >= measureFrom) {
            if (stalled != nullptr && !stalled->stall()) {
                std::fprintf(stderr, "dnotifier-loadgen: could not stall a subscriber\n");
            }
            from = snapshot(session, options, stalled);
            measuring = true;
        }
        if (stalled != nullptr) {
            stalled->check(now);
        }
        pumpPublisher(session, options, stalled, sequence);
        session.pool().poll(1);
    }
    const Snapshot to = snapshot(session, options, stalled);
    return {measuring ? from : to, to};
}

// Stops publishing and waits until everything arrived (and, for HTTP, was answered) or nothing
// moved for a while.
void drain(Session &session, const Options &options, StalledSubscriber *stalled)
{
    const Publisher &publisher = *session.publisher();
    std::uint64_t lastSeen = readingDeliveries(session, stalled);
    std::int64_t lastProgress = monotonicNs();
    while (!stopWasRequested() && monotonicNs() - lastProgress < DrainQuietNs) {
        if (stalled != nullptr) {
            stalled->check(monotonicNs());
        }
        const std::uint64_t expected =
                (publisher.published() - publisher.rejected()) * readingCount(session, stalled);
        const bool answered = options.target.protocol != Protocol::Pusher
                              || publisher.acknowledged() >= publisher.published();
        if (lastSeen >= expected && answered) {
            return;
        }
        session.pool().poll(10);
        if (readingDeliveries(session, stalled) != lastSeen) {
            lastSeen = readingDeliveries(session, stalled);
            lastProgress = monotonicNs();
        }
    }
}

// Past the window, keeps publishing as before, outside the figures, until the server lets the
// stalled subscriber go or options.stallSeconds pass since the stall: a server gives up on a
// client only once its buffers and the kernel's are full, which a window may not reach. Returns
// the snapshot at the end; the deliveries to the others in that span show what the stall costs
// them once the server, not the kernel, holds what the stalled one does not read.
Snapshot publishUntilLetGo(Session &session,
                           const Options &options,
                           StalledSubscriber &stalled,
                           std::uint64_t &sequence)
{
    const std::int64_t deadline = stalled.stalledNs() + seconds(options.stallSeconds);
    for (std::int64_t now = monotonicNs();
         now < deadline && stalled.isStalled() && !stalled.serverLetGo() && !stopWasRequested();
         now = monotonicNs()) {
        stalled.check(now);
        pumpPublisher(session, options, &stalled, sequence);
        session.pool().poll(1);
    }
    return snapshot(session, options, &stalled);
}

void reportPastWindow(const Snapshot &from, const Snapshot &to)
{
    const double span = elapsed(from.ns, to.ns);
    result("past_window_seconds", span);
    if (span >= 0.5) {
        result("past_window_deliveries_per_s", double(to.deliveries - from.deliveries) / span);
    }
}

// With a stalled subscriber, every figure but the stall_* lines is that of the others.
void reportFanout(Session &session,
                  const Options &options,
                  const StalledSubscriber *stalled,
                  const Snapshot &from,
                  const Snapshot &to)
{
    const double window = std::max(1e-9, elapsed(from.ns, to.ns));
    const Publisher &publisher = *session.publisher();
    const DeliveryCounters &counters = session.subscribers().counters();
    const std::uint64_t receivers = readingCount(session, stalled);
    const std::uint64_t delivered = readingDeliveries(session, stalled);
    const std::uint64_t expected = (publisher.published() - publisher.rejected()) * receivers;
    resultCount("subscribers", std::int64_t(receivers));
    resultCount("stalled_subscribers", stalled != nullptr && stalled->isStalled() ? 1 : 0);
    result("window_seconds", window);
    result("deliveries_per_s", double(to.deliveries - from.deliveries) / window);
    result("publish_per_s", double(to.published - from.published) / window);
    resultCount("published", std::int64_t(publisher.published()));
    resultCount("publish_rejected", std::int64_t(publisher.rejected()));
    resultCount("delivered", std::int64_t(delivered));
    resultCount("expected", std::int64_t(expected));
    result("delivered_ratio", expected > 0 ? double(delivered) / double(expected) : 0);
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
    std::optional<StalledSubscriber> stalled;
    if (options.stall) {
        stalled.emplace(session);
    }
    StalledSubscriber *stall = stalled ? &*stalled : nullptr;
    std::uint64_t sequence = 0;
    const auto [from, to] = publishForWindow(session, options, stall, sequence);
    Snapshot past = to;
    if (stall != nullptr) {
        past = publishUntilLetGo(session, options, *stall, sequence);
    }
    drain(session, options, stall);
    reportFanout(session, options, stall, from, to);
    if (stall != nullptr) {
        reportPastWindow(to, past);
        stall->resume();
        stall->report(session.publisher()->published());
    }
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
