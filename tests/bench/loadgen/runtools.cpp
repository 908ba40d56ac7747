#include "runtools.h"

#include <csignal>
#include <cstdio>

namespace DNotifier::Bench {

namespace {

volatile std::sig_atomic_t stopRequested = 0;

constexpr std::int64_t CloseWaitNs = 3'000'000'000;

} // namespace

void requestStop()
{
    stopRequested = 1;
}

bool stopWasRequested()
{
    return stopRequested != 0;
}

std::int64_t seconds(double value)
{
    return std::int64_t(value * 1e9);
}

double elapsed(std::int64_t fromNs, std::int64_t toNs)
{
    return double(toNs - fromNs) / 1e9;
}

void result(const char *name, double value)
{
    std::printf("RESULT %s=%.6g\n", name, value);
}

void resultCount(const char *name, std::int64_t value)
{
    std::printf("RESULT %s=%lld\n", name, static_cast<long long>(value));
}

void resultText(const char *name, const std::string &value)
{
    std::printf("RESULT %s=%s\n", name, value.c_str());
}

void resultLatency(const LatencyHistogram &histogram)
{
    resultCount("latency_count", std::int64_t(histogram.count()));
    result("latency_min_us", double(histogram.min()) / 1e3);
    result("latency_mean_us", histogram.mean() / 1e3);
    result("latency_p50_us", double(histogram.percentile(0.5)) / 1e3);
    result("latency_p90_us", double(histogram.percentile(0.9)) / 1e3);
    result("latency_p99_us", double(histogram.percentile(0.99)) / 1e3);
    result("latency_p999_us", double(histogram.percentile(0.999)) / 1e3);
    result("latency_max_us", double(histogram.max()) / 1e3);
    if (histogram.clamped() > 0) {
        resultCount("latency_clamped", std::int64_t(histogram.clamped()));
    }
}

bool runUntilReady(Session &session, double timeoutSeconds)
{
    const std::int64_t deadline = monotonicNs() + seconds(timeoutSeconds);
    while (!session.rampDone() || !session.publishersReady()) {
        if (stopWasRequested() || monotonicNs() > deadline) {
            return false;
        }
        session.pumpRamp();
        session.pool().poll(10);
    }
    return true;
}

void closeAll(Session &session)
{
    ClientPool &pool = session.pool();
    for (std::size_t id = 0; id < pool.connectionCount(); ++id) {
        if (pool.isOpen(id)) {
            pool.closeGracefully(id);
        }
    }
    const std::int64_t deadline = monotonicNs() + CloseWaitNs;
    while (pool.openConnections() > 0 && monotonicNs() < deadline) {
        pool.poll(10);
    }
}

std::string channelOf(const Options &options, std::size_t index)
{
    if (options.channels <= 1) {
        return options.channel;
    }
    return options.channel + '-' + std::to_string(index % options.channels);
}

} // namespace DNotifier::Bench
