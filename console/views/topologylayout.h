#pragma once

// Where the topology graph puts things: each region is a box, laid out in a grid of boxes;
// its nodes sit inside it in rows. Regions and nodes are placed in name order so the picture
// stays put while figures change. Pure function.

#include <QHash>
#include <QList>
#include <QRectF>
#include <QString>

namespace DNotifier::Console {

struct TopologyLayout
{
    struct NodePlace
    {
        QString id;
        QString name;
        QString region;
    };

    struct RegionBox
    {
        QString region;
        QRectF rect;
    };

    static constexpr qreal NodeWidth = 150;
    static constexpr qreal NodeHeight = 64;
    static constexpr qreal Gap = 24;
    static constexpr qreal RegionTitleHeight = 28;
    static constexpr int NodesPerRow = 3;

    QHash<QString, QRectF> nodes;
    QList<RegionBox> regions;

    static TopologyLayout compute(const QList<NodePlace> &places);
};

} // namespace DNotifier::Console
