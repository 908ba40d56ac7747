#pragma once

// A node in the topology graph: a box with its name, state and connection count, drawn in
// the palette's colours. Suspect nodes have a dashed border, dead or departed ones a dotted
// one, so the state reads without colour.

#include <QGraphicsObject>
#include <QJsonObject>

namespace DNotifier::Console {

class NodeItem final : public QGraphicsObject
{
    Q_OBJECT

public:
    NodeItem(const QJsonObject &node, const QSizeF &size);

    QString nodeId() const { return m_node.value(QLatin1StringView("id")).toString(); }

    const QJsonObject &node() const { return m_node; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QJsonObject m_node;
    QSizeF m_size;
};

} // namespace DNotifier::Console
