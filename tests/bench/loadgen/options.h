#pragma once

// Command line of dnotifier-loadgen; `dnotifier-loadgen --help` prints it.

#include "subscribers.h"

#include <cstddef>
#include <optional>
#include <string>

namespace DNotifier::Bench {

enum class Workload {
    Fanout,
    Connections,
    Latency,
    Channels,
    Http,
};

struct Options
{
    Workload workload = Workload::Fanout;
    Target target;
    int serverPid = 0;
    double timeoutSeconds = 120;
    std::size_t concurrency = 256;

    // fanout, latency, channels: subscribers per channel, channels
    std::size_t subscribers = 1000;
    std::size_t channels = 1;
    double durationSeconds = 10;
    double warmupSeconds = 1;
    std::size_t messageBytes = 100;
    std::size_t window = 256;
    std::size_t batch = 64;
    std::string channel = "bench-fanout";
    std::string eventName = "bench";
    // fanout: one subscriber stops reading after the warm-up; past the window, publishing goes
    // on (outside the figures) until the server lets it go or stallSeconds after the stall
    bool stall = false;
    double stallSeconds = 0;

    // latency, channels: publications per second over all channels, and the port of the node
    // that publishes when it is not the subscribers' (two peered nodes)
    double rate = 1000;
    std::uint16_t publishPort = 0;

    // http: pipelined publisher connections (each with --window requests in flight)
    std::size_t publishers = 4;

    // connections
    std::size_t connections = 5000;
    std::size_t firstIndex = 0;
    bool sharedChannel = false;
    bool hold = false;
};

std::string usage();

// Nothing, with error set, when the arguments are not usable.
std::optional<Options> parseOptions(int argc, char **argv, std::string &error);

} // namespace DNotifier::Bench
