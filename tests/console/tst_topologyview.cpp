// The Topology tab: the layout groups nodes by region, links take their health colour, and
// selecting a node (in the graph or the table) shows its details.

#include <console/models/linksmodel.h>
#include <console/models/nodesmodel.h>
#include <console/views/linkhealth.h>
#include <console/views/nodeitem.h>
#include <console/views/topologylayout.h>
#include <console/views/topologyview.h>

#include <QGraphicsLineItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QJsonArray>
#include <QTest>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject node(const QString &id, const QString &region, const QString &state = u"alive"_s)
{
    return {{u"key"_s, id},
            {u"id"_s, id},
            {u"name"_s, QString(u"node-"_s + id)},
            {u"region"_s, region},
            {u"state"_s, state},
            {u"connections"_s, 4},
            {u"uptime_s"_s, 3700},
            {u"self"_s, bool(id == u"a"_s)}};
}

QJsonObject link(const QString &a, const QString &b, const QJsonValue &rtt)
{
    return {{u"key"_s, QString(a + u'|' + b)}, {u"a"_s, a}, {u"b"_s, b}, {u"rtt_ms"_s, rtt}};
}

} // namespace

class tst_TopologyView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void layoutGroupsNodesByRegion();
    void linkHealthFollowsRoundTrip_data();
    void linkHealthFollowsRoundTrip();
    void graphShowsNodesAndColouredLinks();
    void selectingANodeShowsItsDetails();
    void graphLargerThanItsViewIsScaledDown();
};

void tst_TopologyView::layoutGroupsNodesByRegion()
{
    const TopologyLayout layout = TopologyLayout::compute({{u"a"_s, u"a"_s, u"eu"_s},
                                                           {u"b"_s, u"b"_s, u"us"_s},
                                                           {u"c"_s, u"c"_s, u"eu"_s},
                                                           {u"d"_s, u"d"_s, u"eu"_s},
                                                           {u"e"_s, u"e"_s, u"eu"_s}});
    QCOMPARE(layout.regions.size(), 2);
    QCOMPARE(layout.regions.at(0).region, u"eu"_s);
    QCOMPARE(layout.regions.at(1).region, u"us"_s);
    QVERIFY(!layout.regions.at(0).rect.intersects(layout.regions.at(1).rect));
    for (const QString &id : {u"a"_s, u"c"_s, u"d"_s, u"e"_s}) {
        QVERIFY(layout.regions.at(0).rect.contains(layout.nodes.value(id)));
    }
    QVERIFY(layout.regions.at(1).rect.contains(layout.nodes.value(u"b"_s)));
    // Four nodes in a region of rows of three: no two overlap.
    const QList<QRectF> eu{layout.nodes.value(u"a"_s), layout.nodes.value(u"c"_s),
                           layout.nodes.value(u"d"_s), layout.nodes.value(u"e"_s)};
    for (int i = 0; i < eu.size(); ++i) {
        for (int j = i + 1; j < eu.size(); ++j) {
            QVERIFY(!eu.at(i).intersects(eu.at(j)));
        }
    }
    QVERIFY(TopologyLayout::compute({}).nodes.isEmpty());
}

void tst_TopologyView::linkHealthFollowsRoundTrip_data()
{
    QTest::addColumn<QJsonValue>("rtt");
    QTest::addColumn<LinkHealth>("health");
    QTest::addColumn<QString>("label");
    QTest::newRow("not probed yet")
            << QJsonValue(QJsonValue::Null) << LinkHealth::Unknown << u"?"_s;
    QTest::newRow("fast link") << QJsonValue(0.4) << LinkHealth::Good << u"0.4 ms"_s;
    QTest::newRow("at the good limit") << QJsonValue(50) << LinkHealth::Good << u"50 ms"_s;
    QTest::newRow("slow link") << QJsonValue(120) << LinkHealth::Slow << u"120 ms"_s;
    QTest::newRow("poor link") << QJsonValue(450) << LinkHealth::Poor << u"450 ms"_s;
}

void tst_TopologyView::linkHealthFollowsRoundTrip()
{
    QFETCH(QJsonValue, rtt);
    QFETCH(LinkHealth, health);
    QFETCH(QString, label);
    QCOMPARE(linkHealth(rtt), health);
    QCOMPARE(linkLabel(rtt), label);
}

void tst_TopologyView::graphShowsNodesAndColouredLinks()
{
    NodesModel nodes;
    LinksModel links;
    TopologyView view(&nodes, &links);
    view.show();
    nodes.applySnapshot({{u"nodes"_s, QJsonArray{node(u"a"_s, u"eu"_s), node(u"b"_s, u"eu"_s),
                                                 node(u"c"_s, u"us"_s, u"suspect"_s)}}});
    links.applySnapshot({{u"links"_s, QJsonArray{link(u"a"_s, u"b"_s, 3), link(u"a"_s, u"c"_s, 300),
                                                 link(u"b"_s, u"x"_s, 1)}}});

    const auto countNodes = [&view] {
        int count = 0;
        for (QGraphicsItem *item : view.scene()->items()) {
            count += qobject_cast<NodeItem *>(item->toGraphicsObject()) ? 1 : 0;
        }
        return count;
    };
    QTRY_COMPARE(countNodes(), 3);
    QList<QColor> colours;
    for (QGraphicsItem *item : view.scene()->items()) {
        if (auto *line = qgraphicsitem_cast<QGraphicsLineItem *>(item)) {
            colours.append(line->pen().color());
        }
    }
    // The link to an unknown node is left out.
    QCOMPARE(colours.size(), 2);
    QVERIFY(colours.contains(linkColor(LinkHealth::Good)));
    QVERIFY(colours.contains(linkColor(LinkHealth::Poor)));

    nodes.applyDelta({{u"nodes"_s, QJsonObject{{u"remove"_s, QJsonArray{u"c"_s}}}}});
    QTRY_COMPARE(countNodes(), 2);
}

void tst_TopologyView::selectingANodeShowsItsDetails()
{
    NodesModel nodes;
    LinksModel links;
    TopologyView view(&nodes, &links);
    view.show();
    nodes.applySnapshot({{u"nodes"_s, QJsonArray{node(u"a"_s, u"eu"_s), node(u"b"_s, u"us"_s)}}});
    links.applySnapshot({{u"links"_s, QJsonArray{link(u"a"_s, u"b"_s, 12)}}});
    QTRY_VERIFY(!view.scene()->items().isEmpty());

    NodeItem *itemB = nullptr;
    for (QGraphicsItem *item : view.scene()->items()) {
        auto *candidate = qobject_cast<NodeItem *>(item->toGraphicsObject());
        if (candidate && candidate->nodeId() == u"b"_s) {
            itemB = candidate;
        }
    }
    QVERIFY(itemB);
    itemB->setSelected(true);
    QCOMPARE(view.selectedNodeId(), u"b"_s);
    QVERIFY(view.detailsText().contains(u"Name: node-b"_s));
    QVERIFY(view.detailsText().contains(u"Region: us"_s));
    QVERIFY(view.detailsText().contains(u"to node-a: 12 ms"_s));

    view.selectNode(u"a"_s);
    QVERIFY(view.detailsText().contains(u"Name: node-a"_s));
    QVERIFY(!itemB->isSelected());
    QVERIFY(!view.grab().isNull());
}

void tst_TopologyView::graphLargerThanItsViewIsScaledDown()
{
    NodesModel nodes;
    LinksModel links;
    TopologyView view(&nodes, &links);
    view.resize(500, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    nodes.applySnapshot({{u"nodes"_s, QJsonArray{node(u"a"_s, u"eu"_s), node(u"b"_s, u"us"_s),
                                                 node(u"c"_s, u"ap"_s), node(u"d"_s, u"sa"_s)}}});
    QTRY_VERIFY(!view.scene()->items().isEmpty());
    QTRY_VERIFY(view.graphScale() < 1);
    auto *graph = view.findChild<QGraphicsView *>();
    QVERIFY(graph);
    const QRectF shown = graph->transform().mapRect(view.scene()->sceneRect());
    QVERIFY(shown.width() <= graph->viewport()->width());
    QVERIFY(shown.height() <= graph->viewport()->height());

    // Given room, the graph is drawn at its natural size, never larger.
    view.resize(3000, 2000);
    QTRY_COMPARE(view.graphScale(), 1.0);
}

QTEST_MAIN(tst_TopologyView)
#include "tst_topologyview.moc"
