#pragma once

// One sample of the traffic stream (docs/admin-protocol.md, "Stream traffic"): the figures of
// the node's last full second, for the whole cluster and per node.

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace DNotifier::Console {

struct TrafficFigures
{
    qint64 connections = 0;
    qint64 messagesIn = 0;
    qint64 messagesOut = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;

    static TrafficFigures fromJson(const QJsonObject &object);

    friend bool operator==(const TrafficFigures &, const TrafficFigures &) = default;
};

struct TrafficSample
{
    // Milliseconds since the epoch, by the clock of the node the console is on.
    qint64 at = 0;
    TrafficFigures total;
    QHash<QString, TrafficFigures> nodes;

    // nullopt when the data has no usable "at".
    static std::optional<TrafficSample> fromJson(const QJsonObject &data);
};

} // namespace DNotifier::Console
