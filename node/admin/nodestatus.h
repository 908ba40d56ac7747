#pragma once

// What each node tells the others about itself once a second (over the cluster's
// NodeStatusMessage), so that a console connected to any node sees every node's figures.
// Pure functions; decoding trusts nothing about the bytes.

#include "activitysampler.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace DNotifier::Admin {

// Channels a status names at most: the busiest ones, which is what the console sorts by.
inline constexpr qsizetype MaxStatusChannels = 100;

struct LinkStatus
{
    QString peer;
    // Negative before the first measurement.
    qint64 roundTripUs = -1;
};

struct NodeStatus
{
    QString id;
    QString version;
    qint64 startedMs = 0;
    bool draining = false;
    TrafficRates traffic;
    QList<LinkStatus> links;
    QList<ChannelRate> channels;
};

QByteArray encodeNodeStatus(const NodeStatus &status);
std::optional<NodeStatus> decodeNodeStatus(const QByteArray &bytes);

} // namespace DNotifier::Admin
