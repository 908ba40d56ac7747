#pragma once

// What every workload of dnotifier-loadgen uses: the stop flag the signal handlers set, the
// RESULT lines, the loop that sets connections up, and the closing handshake at the end.

#include "histogram.h"
#include "session.h"

#include <cstdint>
#include <string>

namespace DNotifier::Bench {

bool stopWasRequested();

// The drain after a measuring window ends once nothing has arrived for this long.
constexpr std::int64_t DrainQuietNs = 3'000'000'000;

std::int64_t seconds(double value);
double elapsed(std::int64_t fromNs, std::int64_t toNs);

// RESULT name=value on standard output.
void result(const char *name, double value);
void resultCount(const char *name, std::int64_t value);
void resultText(const char *name, const std::string &value);

// latency_count, latency_p50_us, latency_p99_us, latency_p999_us, latency_max_us, ...
void resultLatency(const LatencyHistogram &histogram);

// Runs the loop, opening subscribers, until every subscriber and publisher is ready; false
// after timeoutSeconds or a stop request.
bool runUntilReady(Session &session, double timeoutSeconds);

// Closes every connection with the WebSocket closing handshake, waiting up to a few seconds for
// the server to end them.
void closeAll(Session &session);

// The channel of the i-th subscriber of a workload with options.channels channels: the
// --channel name itself with one, "NAME-<i mod channels>" with more.
std::string channelOf(const Options &options, std::size_t index);

} // namespace DNotifier::Bench
