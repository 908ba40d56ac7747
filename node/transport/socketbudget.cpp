#include "socketbudget.h"

#include <QtGlobal>

#include <sys/resource.h>

namespace DNotifier::Transport {

namespace {

// Descriptors kept back for the data directory, webhooks, the listeners and Qt's own pipes.
constexpr int ReservedDescriptors = 128;

} // namespace

int SocketBudget::fromOpenFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return 1'000'000;
    }
    return qMax(16, int(qMin<rlim_t>(limit.rlim_cur, 1'000'000)) - ReservedDescriptors);
}

} // namespace DNotifier::Transport
