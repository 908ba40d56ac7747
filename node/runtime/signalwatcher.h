#pragma once

// Turns SIGTERM and SIGINT, and SIGHUP, into Qt signals on the main thread. A Unix signal
// handler may do almost nothing, so it only writes the signal number to a socket pair that the
// event loop watches.

#include <QObject>
#include <QSocketNotifier>

#include <memory>

namespace DNotifier::Runtime {

class SignalWatcher final : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);
    void reloadRequested();

private:
    void readSignal();

    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace DNotifier::Runtime
