#include "topologylayout.h"

#include <QMap>

#include <algorithm>
#include <cmath>

namespace DNotifier::Console {

TopologyLayout TopologyLayout::compute(const QList<NodePlace> &places)
{
    QMap<QString, QList<NodePlace>> byRegion;
    for (const NodePlace &place : places) {
        byRegion[place.region].append(place);
    }
    TopologyLayout layout;
    const int regionCount = int(byRegion.size());
    const int regionsPerRow = std::max(1, int(std::ceil(std::sqrt(double(regionCount)))));
    // Boxes are as wide as the most populous region needs, up to a full row, so that a cluster of
    // single-node regions is not drawn as mostly empty boxes.
    int columns = 1;
    for (const QList<NodePlace> &members : std::as_const(byRegion)) {
        columns = std::max(columns, std::min(NodesPerRow, int(members.size())));
    }
    const qreal boxWidth = columns * NodeWidth + (columns + 1) * Gap;

    int index = 0;
    qreal rowTop = 0;
    qreal rowHeight = 0;
    for (auto it = byRegion.begin(); it != byRegion.end(); ++it, ++index) {
        QList<NodePlace> &members = it.value();
        std::sort(members.begin(), members.end(), [](const NodePlace &a, const NodePlace &b) {
            return a.name == b.name ? a.id < b.id : a.name < b.name;
        });
        const int column = index % regionsPerRow;
        if (column == 0 && index > 0) {
            rowTop += rowHeight + Gap;
            rowHeight = 0;
        }
        const int rows = int((members.size() + NodesPerRow - 1) / NodesPerRow);
        const QRectF box(column * (boxWidth + Gap), rowTop, boxWidth,
                         RegionTitleHeight + rows * (NodeHeight + Gap) + Gap / 2);
        layout.regions.append({it.key(), box});
        rowHeight = std::max(rowHeight, box.height());
        for (int i = 0; i < members.size(); ++i) {
            const qreal x = box.left() + Gap + (i % NodesPerRow) * (NodeWidth + Gap);
            const qreal y = box.top() + RegionTitleHeight + (i / NodesPerRow) * (NodeHeight + Gap);
            layout.nodes.insert(members.at(i).id, QRectF(x, y, NodeWidth, NodeHeight));
        }
    }
    return layout;
}

} // namespace DNotifier::Console
