#pragma once

// The Topology tab: a graph of the cluster (nodes grouped by region, links coloured by health
// and labelled with their round trip), a table of the nodes for the keyboard, and the details
// of the node selected in either.

#include <QTimer>
#include <QWidget>

class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QTableView;

namespace DNotifier::Console {

class LinksModel;
class NodesModel;
class NodeItem;

class TopologyView final : public QWidget
{
    Q_OBJECT

public:
    TopologyView(NodesModel *nodes, LinksModel *links, QWidget *parent = nullptr);
    ~TopologyView() override;

    QGraphicsScene *scene() const { return m_scene; }

    // The node whose details are shown, or an empty string.
    QString selectedNodeId() const { return m_selectedId; }

    void selectNode(const QString &nodeId);

    QString detailsText() const;

    // The scale of the graph: below 1 when the cluster is drawn smaller to fit its view.
    qreal graphScale() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void scheduleRebuild();
    void rebuild();
    void addLinks(const QHash<QString, NodeItem *> &items);
    void fitGraph();
    void onSceneSelectionChanged();
    void onTableSelectionChanged();
    void showDetails();

    NodesModel *m_nodes;
    LinksModel *m_links;
    QGraphicsScene *m_scene;
    QGraphicsView *m_graph;
    QTableView *m_table;
    QLabel *m_details;
    QTimer m_rebuildTimer;
    QString m_selectedId;
    bool m_syncingSelection = false;
};

} // namespace DNotifier::Console
