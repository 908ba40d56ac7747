#pragma once

// Decides at start which cluster this node belongs to and whom it dials first: the configured
// secret, a join token (its secret and seeds), the secret kept in the data directory, or a new
// cluster of one. An expired join token still starts a node that already joined with it, so a
// service restarted with the same command line keeps working.

#include <common/result.h>
#include <node/cluster/clusteridentity.h>
#include <node/config/settings.h>

namespace DNotifier::Runtime {

struct ClusterStart
{
    Cluster::ClusterIdentity identity;
    // The configured seeds, then the join token's, then the members the node saw when it
    // last ran (kept in the data directory), so a restarted node finds its cluster again.
    QList<QString> seeds;
};

Result<ClusterStart> resolveClusterStart(const Config::NodeSettings &settings, qint64 nowSeconds);

} // namespace DNotifier::Runtime
