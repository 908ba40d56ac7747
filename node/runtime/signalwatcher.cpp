#include "signalwatcher.h"

#include <node/logging.h>

#include <csignal>

#include <sys/socket.h>
#include <unistd.h>

namespace DNotifier::Runtime {

namespace {

// [0] is written by the handler, [1] read by the event loop. One pair per process.
int s_signalPipe[2] = {-1, -1};

void onSignal(int signalNumber)
{
    const char byte = char(signalNumber);
    [[maybe_unused]] const ssize_t written = ::write(s_signalPipe[0], &byte, 1);
}

} // namespace

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s_signalPipe) != 0) {
        qCWarning(lcNode) << "cannot watch termination signals; SIGTERM ends the node at once";
        return;
    }
    m_notifier = std::make_unique<QSocketNotifier>(s_signalPipe[1], QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &SignalWatcher::readSignal);

    struct sigaction action = {};
    action.sa_handler = &onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGHUP, &action, nullptr);
}

SignalWatcher::~SignalWatcher()
{
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}

void SignalWatcher::readSignal()
{
    char byte = 0;
    if (::read(s_signalPipe[1], &byte, 1) != 1) {
        return;
    }
    if (int(byte) == SIGHUP) {
        Q_EMIT reloadRequested();
    } else {
        Q_EMIT terminationRequested(int(byte));
    }
}

} // namespace DNotifier::Runtime
