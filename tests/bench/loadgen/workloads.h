#pragma once

// The workloads of dnotifier-loadgen. Each prints RESULT name=value lines on standard output
// and returns the process exit code: 0 when it measured, 1 when it could not set up.

#include "options.h"

namespace DNotifier::Bench {

// 1 publisher, 1 channel, N subscribers: deliveries and publications per second with a
// bounded number of messages in flight per subscriber, then a drain that checks for loss.
int runFanout(const Options &options);

// N idle subscribed connections: upgrades per second while they open; with --hold they stay
// until SIGTERM or SIGINT so the driver can read the server's memory.
int runConnections(const Options &options);

// Subscribers on one channel (latency) or on many (channels), publications at a fixed rate
// paced by a timer and spread evenly over the channels: deliveries per second, loss, and the
// publish-to-deliver latency of each delivery from the send time in the payload.
int runPaced(const Options &options);

// Signed HTTP publish requests (NATS: PUB with +OK) answered per second on several pipelined
// keep-alive connections to a channel with one subscriber, and the errors.
int runHttpPublish(const Options &options);

// Set from the SIGTERM and SIGINT handlers.
void requestStop();

} // namespace DNotifier::Bench
