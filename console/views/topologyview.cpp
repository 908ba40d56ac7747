#include "topologyview.h"

#include "linkhealth.h"
#include "nodeitem.h"
#include "topologylayout.h"

#include <console/models/formatting.h>
#include <console/models/linksmodel.h>
#include <console/models/nodesmodel.h>

#include <QEvent>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsView>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

TopologyView::TopologyView(NodesModel *nodes, LinksModel *links, QWidget *parent)
    : QWidget(parent)
    , m_nodes(nodes)
    , m_links(links)
    , m_scene(new QGraphicsScene(this))
    , m_graph(new QGraphicsView(m_scene))
    , m_table(new QTableView)
    , m_details(new QLabel)
{
    m_graph->setRenderHint(QPainter::Antialiasing);
    m_graph->setDragMode(QGraphicsView::ScrollHandDrag);
    m_graph->setAccessibleName(tr("Cluster graph"));
    m_graph->viewport()->installEventFilter(this);

    m_table->setModel(m_nodes);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAccessibleName(tr("Nodes"));

    m_details->setTextFormat(Qt::PlainText);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_details->setWordWrap(true);
    m_details->setMinimumWidth(220);
    m_details->setText(tr("Select a node to see its details."));

    auto *left = new QSplitter(Qt::Vertical);
    left->addWidget(m_graph);
    left->addWidget(m_table);
    left->setStretchFactor(0, 3);
    left->setStretchFactor(1, 1);
    left->setSizes({480, 160});
    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(left);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({800, 260});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    // Deltas come once per second per collection; one rebuild per burst is enough.
    m_rebuildTimer.setSingleShot(true);
    m_rebuildTimer.setInterval(50);
    connect(&m_rebuildTimer, &QTimer::timeout, this, &TopologyView::rebuild);
    for (QAbstractItemModel *model :
         {static_cast<QAbstractItemModel *>(m_nodes), static_cast<QAbstractItemModel *>(m_links)}) {
        connect(model, &QAbstractItemModel::modelReset, this, &TopologyView::scheduleRebuild);
        connect(model, &QAbstractItemModel::rowsInserted, this, &TopologyView::scheduleRebuild);
        connect(model, &QAbstractItemModel::rowsRemoved, this, &TopologyView::scheduleRebuild);
        connect(model, &QAbstractItemModel::dataChanged, this, &TopologyView::scheduleRebuild);
    }
    connect(m_scene, &QGraphicsScene::selectionChanged, this,
            &TopologyView::onSceneSelectionChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &TopologyView::onTableSelectionChanged);
}

// The scene is a child, so it goes after this class's part of the view, and with it a selected
// node item, which reports a selection change. Nothing here may hear that: the details label
// and, in the main window, the models are gone by then.
TopologyView::~TopologyView()
{
    disconnect(m_scene, nullptr, this, nullptr);
}

void TopologyView::scheduleRebuild()
{
    if (!m_rebuildTimer.isActive()) {
        m_rebuildTimer.start();
    }
}

void TopologyView::rebuild()
{
    m_syncingSelection = true;
    m_scene->clear();
    QList<TopologyLayout::NodePlace> places;
    for (const QJsonObject &node : m_nodes->items().items()) {
        places.append({node.value("id"_L1).toString(), node.value("name"_L1).toString(),
                       node.value("region"_L1).toString()});
    }
    const TopologyLayout layout = TopologyLayout::compute(places);
    const QPalette palette = m_scene->palette();
    for (const TopologyLayout::RegionBox &region : layout.regions) {
        auto *box = m_scene->addRect(region.rect, QPen(palette.color(QPalette::Mid), 1),
                                     palette.brush(QPalette::AlternateBase));
        box->setZValue(-2);
        auto *title = m_scene->addSimpleText(
                region.region.isEmpty() ? tr("(no region)") : tr("Region %1").arg(region.region));
        title->setBrush(palette.brush(QPalette::WindowText));
        title->setPos(region.rect.topLeft() + QPointF(TopologyLayout::Gap / 2, 6));
    }
    QHash<QString, NodeItem *> items;
    for (const QJsonObject &node : m_nodes->items().items()) {
        const QString id = node.value("id"_L1).toString();
        auto *item = new NodeItem(node, layout.nodes.value(id).size());
        item->setPos(layout.nodes.value(id).topLeft());
        m_scene->addItem(item);
        items.insert(id, item);
        item->setSelected(id == m_selectedId);
    }
    addLinks(items);
    // The scene rect would otherwise only ever grow: it is the union of every item ever added.
    m_scene->setSceneRect(m_scene->itemsBoundingRect().marginsAdded(
            QMarginsF(TopologyLayout::Gap, TopologyLayout::Gap, TopologyLayout::Gap,
                      TopologyLayout::Gap)));
    fitGraph();
    m_syncingSelection = false;
    showDetails();
}

bool TopologyView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_graph->viewport() && event->type() == QEvent::Resize) {
        fitGraph();
    }
    return QWidget::eventFilter(watched, event);
}

// The whole cluster stays in sight: a graph larger than its view is drawn smaller, never larger.
void TopologyView::fitGraph()
{
    const QRectF scene = m_scene->sceneRect();
    // A little room for the view's frame, so that no scroll bar appears for a pixel.
    const QSizeF room = QSizeF(m_graph->viewport()->size()) - QSizeF(4, 4);
    if (scene.isEmpty() || room.isEmpty()) {
        return;
    }
    const qreal scale =
            std::min({1.0, room.width() / scene.width(), room.height() / scene.height()});
    m_graph->setTransform(QTransform::fromScale(scale, scale));
}

qreal TopologyView::graphScale() const
{
    return m_graph->transform().m11();
}

void TopologyView::addLinks(const QHash<QString, NodeItem *> &items)
{
    const QPalette palette = m_scene->palette();
    for (const QJsonObject &link : m_links->items().items()) {
        NodeItem *a = items.value(link.value("a"_L1).toString());
        NodeItem *b = items.value(link.value("b"_L1).toString());
        if (!a || !b) {
            continue;
        }
        const QJsonValue rtt = link.value("rtt_ms"_L1);
        const LinkHealth health = linkHealth(rtt);
        QPen pen(linkColor(health), 3);
        if (health == LinkHealth::Unknown) {
            pen.setStyle(Qt::DashLine);
        }
        const QPointF from = a->sceneBoundingRect().center();
        const QPointF to = b->sceneBoundingRect().center();
        auto *line = m_scene->addLine(QLineF(from, to), pen);
        line->setZValue(-1);
        line->setToolTip(tr("%1 – %2: %3")
                                 .arg(m_nodes->nameOf(link.value("a"_L1).toString()),
                                      m_nodes->nameOf(link.value("b"_L1).toString()),
                                      linkLabel(rtt)));
        auto *label = m_scene->addSimpleText(linkLabel(rtt));
        label->setBrush(palette.brush(QPalette::Text));
        label->setPos((from + to) / 2 - QPointF(label->boundingRect().width() / 2, 0));
        label->setZValue(1);
    }
}

void TopologyView::onSceneSelectionChanged()
{
    if (m_syncingSelection) {
        return;
    }
    const QList<QGraphicsItem *> selected = m_scene->selectedItems();
    auto *nodeItem = selected.isEmpty()
                             ? nullptr
                             : qobject_cast<NodeItem *>(selected.first()->toGraphicsObject());
    selectNode(nodeItem ? nodeItem->nodeId() : QString());
}

void TopologyView::onTableSelectionChanged()
{
    if (m_syncingSelection) {
        return;
    }
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    selectNode(rows.isEmpty() ? QString() : rows.first().data(KeyedTableModel::KeyRole).toString());
}

void TopologyView::selectNode(const QString &nodeId)
{
    m_selectedId = nodeId;
    m_syncingSelection = true;
    for (QGraphicsItem *item : m_scene->items()) {
        if (auto *nodeItem = qobject_cast<NodeItem *>(item->toGraphicsObject())) {
            nodeItem->setSelected(nodeItem->nodeId() == nodeId);
        }
    }
    const int row = m_nodes->items().rowOf(nodeId);
    if (row >= 0) {
        m_table->selectRow(row);
    } else {
        m_table->clearSelection();
    }
    m_syncingSelection = false;
    showDetails();
}

QString TopologyView::detailsText() const
{
    return m_details->text();
}

void TopologyView::showDetails()
{
    const QJsonObject node = m_nodes->items().find(m_selectedId);
    if (node.isEmpty()) {
        m_details->setText(tr("Select a node to see its details."));
        return;
    }
    QStringList lines{
            tr("Name: %1").arg(node.value("name"_L1).toString()),
            tr("Id: %1").arg(node.value("id"_L1).toString()),
            tr("Region: %1").arg(node.value("region"_L1).toString()),
            tr("State: %1").arg(node.value("state"_L1).toString()),
            tr("Connections: %1").arg(node.value("connections"_L1).toInteger()),
            tr("Uptime: %1").arg(formatDuration(node.value("uptime_s"_L1).toInteger())),
            tr("Started: %1").arg(formatTimestamp(node.value("started_at"_L1).toInteger())),
            tr("Version: %1").arg(node.value("version"_L1).toString()),
            tr("Peer address: %1").arg(node.value("address"_L1).toString()),
            tr("Gateway of its region: %1")
                    .arg(KeyedTableModel::displayText(node.value("gateway"_L1))),
            tr("Draining: %1").arg(KeyedTableModel::displayText(node.value("draining"_L1))),
    };
    QStringList links;
    for (const QJsonObject &link : m_links->items().items()) {
        const QString a = link.value("a"_L1).toString();
        const QString b = link.value("b"_L1).toString();
        if (a == m_selectedId || b == m_selectedId) {
            links.append(tr("  to %1: %2")
                                 .arg(m_nodes->nameOf(a == m_selectedId ? b : a),
                                      linkLabel(link.value("rtt_ms"_L1))));
        }
    }
    lines.append(links.isEmpty() ? tr("Links: none") : tr("Links:"));
    lines.append(links);
    m_details->setText(lines.join(u'\n'));
}

} // namespace DNotifier::Console
