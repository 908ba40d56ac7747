#include "nodeitem.h"

#include <QGraphicsScene>
#include <QPainter>
#include <QPalette>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

NodeItem::NodeItem(const QJsonObject &node, const QSizeF &size)
    : m_node(node)
    , m_size(size)
{
    setFlags(ItemIsSelectable | ItemIsFocusable);
    setAcceptHoverEvents(true);
    setToolTip(m_node.value("address"_L1).toString());
}

QRectF NodeItem::boundingRect() const
{
    return QRectF(QPointF(0, 0), m_size).adjusted(-2, -2, 2, 2);
}

void NodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const QPalette palette = scene() ? scene()->palette() : QPalette();
    const QString state = m_node.value("state"_L1).toString();
    QPen border(isSelected() ? palette.color(QPalette::Highlight)
                             : palette.color(QPalette::WindowText),
                isSelected() ? 3 : 1.5);
    if (state == "suspect"_L1) {
        border.setStyle(Qt::DashLine);
    } else if (state == "dead"_L1 || state == "left"_L1) {
        border.setStyle(Qt::DotLine);
    }
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(border);
    painter->setBrush(palette.color(QPalette::Base));
    painter->drawRoundedRect(QRectF(QPointF(0, 0), m_size), 8, 8);

    QString title = m_node.value("name"_L1).toString();
    if (title.isEmpty()) {
        title = nodeId().left(12);
    }
    if (m_node.value("self"_L1).toBool()) {
        title += tr(" (this node)");
    }
    QString detail = state;
    if (m_node.value("gateway"_L1).toBool()) {
        detail += tr(" · gateway");
    }
    if (m_node.value("draining"_L1).toBool()) {
        detail += tr(" · draining");
    }
    const QString connections =
            tr("%n connection(s)", nullptr, m_node.value("connections"_L1).toInt());

    painter->setPen(palette.color(QPalette::Text));
    const QRectF text = QRectF(QPointF(0, 0), m_size).adjusted(8, 4, -8, -4);
    QFont bold = painter->font();
    bold.setBold(true);
    painter->setFont(bold);
    painter->drawText(text, Qt::AlignTop | Qt::AlignHCenter, title);
    bold.setBold(false);
    painter->setFont(bold);
    painter->drawText(text, Qt::AlignVCenter | Qt::AlignHCenter, detail);
    painter->drawText(text, Qt::AlignBottom | Qt::AlignHCenter, connections);
}

} // namespace DNotifier::Console
