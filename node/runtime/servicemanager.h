#pragma once

// Tells systemd (Type=notify) where the node is in its life: ready once every listener is
// bound, reloading around a SIGHUP, stopping when the drain begins, and a one-line status.
// Without NOTIFY_SOCKET (not run by systemd) every call does nothing.

#include <QString>

namespace DNotifier::Runtime {

void notifyReady(const QString &status);
void notifyReloading();
void notifyStopping();

} // namespace DNotifier::Runtime
