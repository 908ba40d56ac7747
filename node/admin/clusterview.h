#pragma once

// The whole cluster as the admin streams show it, put together from the membership table and
// the statuses the nodes send each other. Pure functions of their inputs.

#include "nodestatus.h"

#include <node/cluster/membertable.h>

#include <QHash>
#include <QJsonObject>
#include <QList>

#include <functional>

namespace DNotifier::Admin {

struct ClusterSnapshot
{
    QString selfId;
    QList<Cluster::MemberRecord> members;
    // Statuses recent enough to show, this node's own included, by node id.
    QHash<QString, NodeStatus> statuses;
    std::function<bool(const QString &)> isGateway;
};

QList<QJsonObject> topologyNodes(const ClusterSnapshot &cluster, qint64 nowMs);
// Each link once, from the statuses of either end.
QList<QJsonObject> topologyLinks(const ClusterSnapshot &cluster);
QJsonObject trafficSample(const ClusterSnapshot &cluster, qint64 nowMs);
// Publications per second cluster-wide, keyed "app/channel": every publication is accepted
// on one node, so the sum over the nodes counts each once.
QHash<QString, qint64> clusterChannelRates(const ClusterSnapshot &cluster);

} // namespace DNotifier::Admin
