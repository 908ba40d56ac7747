#include "servicemanager.h"

#include <systemd/sd-daemon.h>

namespace DNotifier::Runtime {

void notifyReady(const QString &status)
{
    // A status is one line; the protocol separates assignments by newlines.
    const QByteArray line = status.simplified().toUtf8();
    sd_notify(0, QByteArray("READY=1\nSTATUS=" + line).constData());
}

void notifyReloading()
{
    sd_notify(0, "RELOADING=1");
}

void notifyStopping()
{
    sd_notify(0, "STOPPING=1");
}

} // namespace DNotifier::Runtime
