#include "socketbudget.h"

#include <node/logging.h>

#include <QtGlobal>

#include <cerrno>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace DNotifier::Transport {

namespace {

// Descriptors kept back for the data directory, webhooks, the listeners and Qt's own pipes.
constexpr int ReservedDescriptors = 128;
// A larger table costs its memory for the life of the process (8 bytes a slot); the rare node
// with a budget beyond this grows the rest of the way under load.
constexpr int MaxReservedTable = 65'536;

} // namespace

int SocketBudget::fromOpenFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return 1'000'000;
    }
    return qMax(16, int(qMin<rlim_t>(limit.rlim_cur, 1'000'000)) - ReservedDescriptors);
}

void SocketBudget::reserveDescriptorTable() const
{
    const int highest = qMin(m_limit + ReservedDescriptors, MaxReservedTable) - 1;
    const int anchor = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (anchor < 0) {
        return;
    }
    // The table grows to hold the lowest free number at or above `highest`, and never shrinks.
    const int probe = ::fcntl(anchor, F_DUPFD_CLOEXEC, highest);
    if (probe < 0) {
        qCDebug(lcTransport) << "could not reserve the descriptor table:" << qt_error_string(errno);
    } else {
        ::close(probe);
    }
    ::close(anchor);
}

} // namespace DNotifier::Transport
