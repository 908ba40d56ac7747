// dnotifier-loadgen: the load generator of tests/bench (see tests/bench/README.md).

#include "options.h"
#include "workloads.h"

#include <csignal>
#include <cstdio>
#include <cstring>

using namespace DNotifier::Bench;

namespace {

void onStopSignal(int)
{
    requestStop();
}

void installSignalHandlers()
{
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = &onStopSignal;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: the signal must interrupt epoll_wait so the loop sees the request.
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        std::fputs(usage().c_str(), stdout);
        return 0;
    }
    std::string error;
    const auto options = parseOptions(argc, argv, error);
    if (!options) {
        std::fprintf(stderr, "dnotifier-loadgen: %s\n\n%s", error.c_str(), usage().c_str());
        return 2;
    }
    installSignalHandlers();
    switch (options->workload) {
    case Workload::Fanout:
        return runFanout(*options);
    case Workload::Connections:
        return runConnections(*options);
    case Workload::Latency:
    case Workload::Channels:
        return runPaced(*options);
    case Workload::Http:
        return runHttpPublish(*options);
    }
    return 2;
}
