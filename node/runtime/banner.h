#pragma once

// The text a node prints to standard output once it listens: where to connect, and a
// pusher-js snippet to paste. Secrets appear only on the start that generated them.

#include <node/config/settings.h>

#include <QString>

namespace DNotifier::Runtime {

struct ClusterBanner
{
    quint16 peerPort = 0;
    QString clusterId;
    bool newCluster = false;
};

struct AdminBanner
{
    quint16 port = 0;
    QString fingerprint;
    // Shown only on the start that made them.
    QList<Config::AdminKey> newKeys;
    QString keysFile;
};

QString startBanner(const Config::NodeSettings &settings,
                    quint16 port,
                    const ClusterBanner &cluster,
                    const AdminBanner &admin,
                    bool freshCredentials,
                    const QString &credentialsFile);

} // namespace DNotifier::Runtime
