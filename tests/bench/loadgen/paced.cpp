// The latency and many-channels workloads: one loop, two shapes. latency: 1 channel, 1 or 1,000
// subscribers, 1,000 publications a second or half the fan-out maximum, the publisher possibly
// on another node. channels: 1,000 channels of 10 subscribers, 10,000 publications a second in
// turn over the channels. The rate is kept by a timer (pacer.h), never by bursts, so the
// latency is that of a server under a known, steady load.

#include "pacer.h"
#include "procstats.h"
#include "runtools.h"
#include "workloads.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace DNotifier::Bench {

namespace {

struct Snapshot
{
    std::int64_t ns = 0;
    std::uint64_t deliveries = 0;
    std::uint64_t skipped = 0;
    std::uint64_t reordered = 0;
    std::uint64_t published = 0;
    double ownCpu = 0;
    double serverCpu = 0;
    double machineBusy = 0;
};

Snapshot snapshot(Session &session, const Options &options)
{
    Snapshot shot;
    shot.ns = monotonicNs();
    shot.deliveries = session.subscribers().counters().deliveries;
    shot.skipped = session.subscribers().counters().skipped;
    shot.reordered = session.subscribers().counters().reordered;
    shot.published = session.publisher()->published();
    shot.ownCpu = ownCpuSeconds();
    shot.serverCpu = options.serverPid > 0 ? processCpuSeconds(options.serverPid) : -1;
    shot.machineBusy = machineBusySeconds();
    return shot;
}

// The channels in turn, each with its own sequence numbers, since each subscriber checks the
// order of the channel it is on.
class ChannelCycle
{
public:
    explicit ChannelCycle(const Options &options)
        : m_sequences(std::max<std::size_t>(1, options.channels), 0)
    {
        for (std::size_t i = 0; i < m_sequences.size(); ++i) {
            m_names.push_back(channelOf(options, i));
        }
    }

    void publishNext(Session &session, std::size_t size)
    {
        session.publisher()->publishTo(session.pool(), m_names[m_next],
                                       {++m_sequences[m_next], monotonicNs()}, size);
        m_next = (m_next + 1) % m_names.size();
    }

private:
    std::vector<std::string> m_names;
    std::vector<std::uint64_t> m_sequences;
    std::size_t m_next = 0;
};

// Publishes what the pacer owes until untilNs; from measureFromNs on, the subscribers measure.
// Returns the snapshots at the ends of the measuring window.
std::pair<Snapshot, Snapshot> publishPaced(Session &session,
                                           const Options &options,
                                           Pacer &pacer,
                                           LatencyHistogram &histogram)
{
    ChannelCycle cycle(options);
    const std::int64_t measureFrom = monotonicNs() + seconds(options.warmupSeconds);
    const std::int64_t measureTo = measureFrom + seconds(options.durationSeconds);
    Snapshot from;
    bool measuring = false;
    for (std::int64_t now = monotonicNs(); now < measureTo && !stopWasRequested();
         now = monotonicNs()) {
        if (!measuring && now >= measureFrom) {
            from = snapshot(session, options);
            session.subscribers().measureFrom(from.ns, histogram);
            pacer.resetLateness();
            measuring = true;
        }
        for (std::uint64_t due = pacer.take(now); due > 0; --due) {
            cycle.publishNext(session, options.messageBytes);
        }
        session.pool().flushQueued();
        session.pool().poll(10);
    }
    const Snapshot to = snapshot(session, options);
    return {measuring ? from : to, to};
}

// Waits until every publication of the window reached all its subscribers (and, for HTTP, was
// answered) or nothing arrived for a while.
void drain(Session &session, std::uint64_t expected)
{
    const Publisher &publisher = *session.publisher();
    std::uint64_t lastSeen = session.subscribers().counters().measured;
    std::int64_t lastProgress = monotonicNs();
    while (!stopWasRequested() && monotonicNs() - lastProgress < DrainQuietNs) {
        const bool answered =
                !publisher.isAcknowledged() || publisher.acknowledged() >= publisher.published();
        if (lastSeen >= expected && answered) {
            return;
        }
        session.pool().poll(10);
        if (session.subscribers().counters().measured != lastSeen) {
            lastSeen = session.subscribers().counters().measured;
            lastProgress = monotonicNs();
        }
    }
}

void report(Session &session,
            const Options &options,
            const Pacer &pacer,
            const LatencyHistogram &histogram,
            const std::pair<Snapshot, Snapshot> &window)
{
    const auto &[from, to] = window;
    const double span = std::max(1e-9, elapsed(from.ns, to.ns));
    const Publisher &publisher = *session.publisher();
    const DeliveryCounters &counters = session.subscribers().counters();
    const std::uint64_t expected = (to.published - from.published) * options.subscribers;
    resultCount("channels", std::int64_t(std::max<std::size_t>(1, options.channels)));
    resultCount("subscribers", std::int64_t(session.subscribers().subscribedCount()));
    result("rate_target", options.rate);
    result("window_seconds", span);
    result("publish_per_s", double(to.published - from.published) / span);
    result("deliveries_per_s", double(to.deliveries - from.deliveries) / span);
    resultCount("measured", std::int64_t(counters.measured));
    resultCount("expected", std::int64_t(expected));
    result("delivered_ratio", expected > 0 ? double(counters.measured) / double(expected) : 0);
    resultCount("published", std::int64_t(publisher.published()));
    resultCount("publish_rejected", std::int64_t(publisher.rejected()));
    if (publisher.rejected() > 0) {
        resultCount("publish_last_reject_status", publisher.lastRejectStatus());
    }
    // From the start of the window: a publication sent before a subscription reached the
    // publisher's server (across a cluster, the interest travels a link) is not a loss.
    resultCount("skipped", std::int64_t(counters.skipped - from.skipped));
    resultCount("reordered", std::int64_t(counters.reordered - from.reordered));
    resultCount("skipped_before_window", std::int64_t(from.skipped));
    resultCount("unreadable", std::int64_t(counters.unreadable));
    // In the window only; when, in seconds from its start, tells a stall from a steady lag.
    result("publish_late_max_us", double(pacer.maxLateNs()) / 1e3);
    if (pacer.maxLateNs() > 0) {
        result("publish_late_max_at_s", elapsed(from.ns, pacer.maxLateAtNs()));
    }
    resultLatency(histogram);
    result("loadgen_cpu", (to.ownCpu - from.ownCpu) / span);
    result("machine_busy_cores", (to.machineBusy - from.machineBusy) / span);
    if (options.serverPid > 0) {
        result("server_cpu", (to.serverCpu - from.serverCpu) / span);
        resultCount("server_rss_kb", std::int64_t(processRssKb(options.serverPid)));
    }
    if (!session.firstFailure().empty()) {
        resultText("first_failure", session.firstFailure());
    }
}

} // namespace

int runPaced(const Options &options)
{
    Session session(options);
    const std::size_t total = std::max<std::size_t>(1, options.channels) * options.subscribers;
    if (!session.pool().isValid()
        || !session.addPublisher(channelOf(options, 0), options.publishPort)) {
        std::fprintf(stderr, "dnotifier-loadgen: %s\n", session.pool().lastError().c_str());
        return 1;
    }
    session.setRampTarget(total, &channelOf);
    const bool ready = runUntilReady(session, options.timeoutSeconds);
    if (!ready || session.subscribers().subscribedCount() != total) {
        std::fprintf(stderr, "dnotifier-loadgen: %zu of %zu subscribers ready (%s)\n",
                     session.subscribers().subscribedCount(), total,
                     session.firstFailure().c_str());
        return 1;
    }
    Pacer pacer(options.rate);
    if (!pacer.start(session.pool())) {
        return 1;
    }
    LatencyHistogram histogram;
    const auto window = publishPaced(session, options, pacer, histogram);
    drain(session, (window.second.published - window.first.published) * options.subscribers);
    report(session, options, pacer, histogram, window);
    std::fflush(stdout);
    closeAll(session);
    return 0;
}

} // namespace DNotifier::Bench
