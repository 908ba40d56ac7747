// The HTTP publish workload: how many signed POST /apps/ID/events requests (one event each) the
// node answers per second on several pipelined keep-alive connections, to a channel with one
// subscriber. NATS has no HTTP API: there the same loop sends PUB operations over WebSocket
// connections in verbose mode, so that the server answers each with +OK, and counts those; a
// figure for context, not a like-for-like ratio.

#include "procstats.h"
#include "runtools.h"
#include "workloads.h"

#include <algorithm>
#include <cstdio>

namespace DNotifier::Bench {

namespace {

constexpr std::size_t MaxPublisherQueue = 256 * 1024;

struct Totals
{
    std::uint64_t published = 0;
    std::uint64_t answered = 0;
    std::uint64_t errors = 0;
    std::size_t lost = 0;
};

Totals totals(const Session &session)
{
    Totals sum;
    for (const auto &publisher : session.publishers()) {
        sum.published += publisher->published();
        sum.answered += publisher->acknowledged();
        sum.errors += publisher->rejected();
        sum.lost += publisher->lost() ? 1 : 0;
    }
    return sum;
}

struct Snapshot
{
    std::int64_t ns = 0;
    Totals totals;
    std::uint64_t deliveries = 0;
    double ownCpu = 0;
    double serverCpu = 0;
};

Snapshot snapshot(Session &session, const Options &options)
{
    Snapshot shot;
    shot.ns = monotonicNs();
    shot.totals = totals(session);
    shot.deliveries = session.subscribers().counters().deliveries;
    shot.ownCpu = ownCpuSeconds();
    shot.serverCpu = options.serverPid > 0 ? processCpuSeconds(options.serverPid) : -1;
    return shot;
}

// Tops every live connection up to options.window unanswered requests. One sequence over all
// connections: the subscriber's order check does not apply here, its count does.
void pumpPublishers(Session &session, const Options &options, std::uint64_t &sequence)
{
    for (const auto &publisher : session.publishers()) {
        if (!publisher->isReady()) {
            continue;
        }
        while (publisher->published() - publisher->acknowledged() < options.window
               && session.pool().queuedBytes(publisher->id()) < MaxPublisherQueue) {
            publisher->publish(session.pool(), {++sequence, monotonicNs()}, options.messageBytes);
        }
    }
}

std::pair<Snapshot, Snapshot> publishForWindow(Session &session, const Options &options)
{
    std::uint64_t sequence = 0;
    const std::int64_t measureFrom = monotonicNs() + seconds(options.warmupSeconds);
    const std::int64_t measureTo = measureFrom + seconds(options.durationSeconds);
    Snapshot from;
    bool measuring = false;
    for (std::int64_t now = monotonicNs(); now < measureTo && !stopWasRequested();
         now = monotonicNs()) {
        if (!measuring && now >= measureFrom) {
            from = snapshot(session, options);
            measuring = true;
        }
        pumpPublishers(session, options, sequence);
        session.pool().flushQueued();
        session.pool().poll(10);
    }
    const Snapshot to = snapshot(session, options);
    return {measuring ? from : to, to};
}

// Waits for the answers still owed, and the subscriber's copies, or until nothing moved for a
// while.
void drain(Session &session, const Options &options)
{
    Totals last = totals(session);
    std::uint64_t lastDeliveries = session.subscribers().counters().deliveries;
    std::int64_t lastProgress = monotonicNs();
    while (!stopWasRequested() && monotonicNs() - lastProgress < DrainQuietNs) {
        const Totals now = totals(session);
        const std::uint64_t deliveries = session.subscribers().counters().deliveries;
        const std::uint64_t owed = (now.answered - now.errors) * options.subscribers;
        if (now.answered >= now.published && deliveries >= owed) {
            return;
        }
        if (now.answered != last.answered || deliveries != lastDeliveries) {
            last = now;
            lastDeliveries = deliveries;
            lastProgress = monotonicNs();
        }
        session.pool().poll(10);
    }
}

void report(Session &session, const Options &options, const std::pair<Snapshot, Snapshot> &window)
{
    const auto &[from, to] = window;
    const double span = std::max(1e-9, elapsed(from.ns, to.ns));
    const Totals end = totals(session);
    const std::uint64_t deliveries = session.subscribers().counters().deliveries;
    const std::uint64_t owed = (end.answered - end.errors) * options.subscribers;
    resultCount("publishers", std::int64_t(session.publishers().size()));
    result("window_seconds", span);
    result("requests_per_s", double(to.totals.answered - from.totals.answered) / span);
    result("sent_per_s", double(to.totals.published - from.totals.published) / span);
    resultCount("published", std::int64_t(end.published));
    resultCount("answered", std::int64_t(end.answered));
    resultCount("error_answers", std::int64_t(end.errors));
    resultCount("unanswered", std::int64_t(end.published - end.answered));
    resultCount("connections_lost", std::int64_t(end.lost));
    // Every error: error answers, requests never answered, connections lost.
    resultCount("errors", std::int64_t(end.errors + (end.published - end.answered) + end.lost));
    resultCount("delivered", std::int64_t(deliveries));
    result("delivered_ratio", owed > 0 ? double(deliveries) / double(owed) : 0);
    result("loadgen_cpu", (to.ownCpu - from.ownCpu) / span);
    if (options.serverPid > 0) {
        result("server_cpu", (to.serverCpu - from.serverCpu) / span);
    }
    for (const auto &publisher : session.publishers()) {
        if (publisher->rejected() > 0) {
            resultCount("publish_last_reject_status", publisher->lastRejectStatus());
        }
    }
    if (!session.firstFailure().empty()) {
        resultText("first_failure", session.firstFailure());
    }
}

} // namespace

int runHttpPublish(const Options &options)
{
    Session session(options);
    bool started = session.pool().isValid();
    for (std::size_t i = 0; started && i < options.publishers; ++i) {
        started = session.addPublisher(options.channel, 0, true);
    }
    if (!started) {
        std::fprintf(stderr, "dnotifier-loadgen: %s\n", session.pool().lastError().c_str());
        return 1;
    }
    session.setRampTarget(options.subscribers, &channelOf);
    const bool ready = runUntilReady(session, options.timeoutSeconds);
    if (!ready || session.subscribers().subscribedCount() != options.subscribers) {
        std::fprintf(stderr, "dnotifier-loadgen: %zu of %zu subscribers ready (%s)\n",
                     session.subscribers().subscribedCount(), options.subscribers,
                     session.firstFailure().c_str());
        return 1;
    }
    const auto window = publishForWindow(session, options);
    drain(session, options);
    report(session, options, window);
    std::fflush(stdout);
    closeAll(session);
    return 0;
}

} // namespace DNotifier::Bench
