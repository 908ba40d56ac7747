// Which topology changes raise an alert: a live node turning suspect, dead or left, a live
// node leaving the topology, a link between live nodes going; never the snapshot that follows
// a connection or reconnection, and never twice for the same node.

#include <console/models/linksmodel.h>
#include <console/models/nodesmodel.h>
#include <console/models/topologyalerts.h>

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

namespace {

using Kind = TopologyAlert::Kind;

QJsonObject node(const QString &id, const QString &state = u"alive"_s)
{
    return {{u"key"_s, id},
            {u"id"_s, id},
            {u"name"_s, QString(u"node-"_s + id)},
            {u"region"_s, u"eu"_s},
            {u"state"_s, state}};
}

QJsonObject link(const QString &a, const QString &b)
{
    return {{u"key"_s, QString(a + u'|' + b)}, {u"a"_s, a}, {u"b"_s, b}, {u"rtt_ms"_s, 1}};
}

QJsonObject change(const QJsonArray &upsert, const QStringList &remove = {})
{
    return {{u"upsert"_s, upsert}, {u"remove"_s, QJsonArray::fromStringList(remove)}};
}

} // namespace

namespace DNotifier::Console {

// For QCOMPARE's message when lists of alerts differ.
char *toString(const TopologyAlert &alert)
{
    return QTest::toString(u"{kind %1, key %2, state %3, \"%4\"}"_s.arg(int(alert.kind))
                                   .arg(alert.key, alert.state, alert.text));
}

} // namespace DNotifier::Console

class tst_TopologyAlerts final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void firstSnapshotRaisesNothing();
    void nodeGoingDownRaisesOneAlert_data();
    void nodeGoingDownRaisesOneAlert();
    void nodeDownTwiceRaisesOnce();
    void nodeAliveAgainCanAlertAgain();
    void removedNodeRaisesAnAlert();
    void removedNodeThatWasDownRaisesNothing();
    void removedLinkRaisesAnAlert();
    void linkOfANodeGoingDownAddsNothing();
    void snapshotAfterReconnectingRaisesNothing();
    void clearingRaisesNothing();
    void newNodeAndLinkRaiseNothing();

private:
    // Applies a topology event as ClusterSession does: the nodes, then the links.
    void snapshot(const QJsonArray &nodes, const QJsonArray &links);
    void delta(const QJsonObject &data);
    QList<TopologyAlert> raised() const;

    std::unique_ptr<NodesModel> m_nodes;
    std::unique_ptr<LinksModel> m_links;
    std::unique_ptr<TopologyAlerts> m_alerts;
    std::unique_ptr<QSignalSpy> m_spy;
};

void tst_TopologyAlerts::init()
{
    m_nodes = std::make_unique<NodesModel>();
    m_links = std::make_unique<LinksModel>();
    m_alerts = std::make_unique<TopologyAlerts>(m_nodes.get(), m_links.get());
    m_spy = std::make_unique<QSignalSpy>(m_alerts.get(), &TopologyAlerts::alertRaised);
    snapshot({node(u"a"_s), node(u"b"_s), node(u"c"_s)},
             {link(u"a"_s, u"b"_s), link(u"a"_s, u"c"_s), link(u"b"_s, u"c"_s)});
}

void tst_TopologyAlerts::cleanup()
{
    m_spy.reset();
    m_alerts.reset();
    m_links.reset();
    m_nodes.reset();
}

void tst_TopologyAlerts::snapshot(const QJsonArray &nodes, const QJsonArray &links)
{
    const QJsonObject data{{u"nodes"_s, nodes}, {u"links"_s, links}};
    m_nodes->applySnapshot(data);
    m_links->applySnapshot(data);
}

void tst_TopologyAlerts::delta(const QJsonObject &data)
{
    m_nodes->applyDelta(data);
    m_links->applyDelta(data);
}

QList<TopologyAlert> tst_TopologyAlerts::raised() const
{
    QList<TopologyAlert> alerts;
    for (const QList<QVariant> &arguments : std::as_const(*m_spy)) {
        alerts.append(arguments.first().value<TopologyAlert>());
    }
    return alerts;
}

void tst_TopologyAlerts::firstSnapshotRaisesNothing()
{
    QCOMPARE(m_nodes->rowCount(), 3);
    QCOMPARE(m_links->rowCount(), 3);
    // A fresh watcher over models that already say a node is dead raises nothing either.
    snapshot({node(u"a"_s), node(u"b"_s, u"dead"_s)}, {});
    TopologyAlerts late(m_nodes.get(), m_links.get());
    QSignalSpy lateSpy(&late, &TopologyAlerts::alertRaised);
    delta({{u"nodes"_s, change({node(u"b"_s, u"dead"_s)})}});
    QCOMPARE(lateSpy.size(), 0);
    QCOMPARE(raised(), QList<TopologyAlert>());
}

void tst_TopologyAlerts::nodeGoingDownRaisesOneAlert_data()
{
    QTest::addColumn<QString>("state");
    QTest::addColumn<QString>("text");
    QTest::newRow("a live node turning suspect")
            << u"suspect"_s << u"Node node-b is suspect: its peers stopped hearing from it"_s;
    QTest::newRow("a live node turning dead") << u"dead"_s << u"Node node-b is dead"_s;
    QTest::newRow("a live node leaving") << u"left"_s << u"Node node-b left the cluster"_s;
}

void tst_TopologyAlerts::nodeGoingDownRaisesOneAlert()
{
    QFETCH(QString, state);
    QFETCH(QString, text);
    delta({{u"nodes"_s, change({node(u"b"_s, state)})}});
    QCOMPARE(raised(), (QList<TopologyAlert>{{Kind::NodeDown, u"b"_s, state, text}}));
}

void tst_TopologyAlerts::nodeDownTwiceRaisesOnce()
{
    delta({{u"nodes"_s, change({node(u"b"_s, u"suspect"_s)})}});
    delta({{u"nodes"_s, change({node(u"b"_s, u"suspect"_s), node(u"c"_s)})}});
    delta({{u"nodes"_s, change({node(u"b"_s, u"dead"_s)})}});
    QCOMPARE(raised(), (QList<TopologyAlert>{
                               {Kind::NodeDown, u"b"_s, u"suspect"_s,
                                u"Node node-b is suspect: its peers stopped hearing from it"_s}}));
}

void tst_TopologyAlerts::nodeAliveAgainCanAlertAgain()
{
    delta({{u"nodes"_s, change({node(u"b"_s, u"suspect"_s)})}});
    delta({{u"nodes"_s, change({node(u"b"_s)})}});
    delta({{u"nodes"_s, change({node(u"b"_s, u"dead"_s)})}});
    QCOMPARE(raised(),
             (QList<TopologyAlert>{{Kind::NodeDown, u"b"_s, u"suspect"_s,
                                    u"Node node-b is suspect: its peers stopped hearing from it"_s},
                                   {Kind::NodeDown, u"b"_s, u"dead"_s, u"Node node-b is dead"_s}}));
}

void tst_TopologyAlerts::removedNodeRaisesAnAlert()
{
    delta({{u"nodes"_s, change({}, {u"c"_s})}});
    QCOMPARE(raised(),
             (QList<TopologyAlert>{{Kind::NodeGone,
                                    u"c"_s,
                                    {},
                                    u"Node node-c is no longer in the cluster's topology"_s}}));
}

void tst_TopologyAlerts::removedNodeThatWasDownRaisesNothing()
{
    delta({{u"nodes"_s, change({node(u"c"_s, u"dead"_s)})}});
    m_spy->clear();
    delta({{u"nodes"_s, change({}, {u"c"_s})}, {u"links"_s, change({}, {u"a|c"_s, u"b|c"_s})}});
    QCOMPARE(raised(), QList<TopologyAlert>());
}

void tst_TopologyAlerts::removedLinkRaisesAnAlert()
{
    delta({{u"links"_s, change({}, {u"b|c"_s})}});
    QCOMPARE(raised(), (QList<TopologyAlert>{{Kind::LinkGone,
                                              u"b|c"_s,
                                              {},
                                              u"The link between node-b and node-c is down"_s}}));
}

void tst_TopologyAlerts::linkOfANodeGoingDownAddsNothing()
{
    delta({{u"nodes"_s, change({node(u"c"_s, u"dead"_s)})},
           {u"links"_s, change({}, {u"a|c"_s, u"b|c"_s})}});
    QCOMPARE(raised(),
             (QList<TopologyAlert>{{Kind::NodeDown, u"c"_s, u"dead"_s, u"Node node-c is dead"_s}}));
}

void tst_TopologyAlerts::snapshotAfterReconnectingRaisesNothing()
{
    // While the console was away node c died and its links went; the snapshot of the new
    // connection shows it so, and is no news.
    snapshot({node(u"a"_s), node(u"b"_s), node(u"c"_s, u"dead"_s)}, {link(u"a"_s, u"b"_s)});
    QCOMPARE(raised(), QList<TopologyAlert>());
    // The next change is measured from that snapshot: c was not alive, b was.
    delta({{u"nodes"_s, change({node(u"c"_s, u"dead"_s), node(u"b"_s, u"dead"_s)})}});
    QCOMPARE(raised(),
             (QList<TopologyAlert>{{Kind::NodeDown, u"b"_s, u"dead"_s, u"Node node-b is dead"_s}}));
}

void tst_TopologyAlerts::clearingRaisesNothing()
{
    m_nodes->clear();
    m_links->clear();
    QCOMPARE(raised(), QList<TopologyAlert>());
}

void tst_TopologyAlerts::newNodeAndLinkRaiseNothing()
{
    delta({{u"nodes"_s, change({node(u"d"_s), node(u"e"_s, u"suspect"_s)})},
           {u"links"_s, change({link(u"a"_s, u"d"_s)})}});
    QCOMPARE(raised(), QList<TopologyAlert>());
}

QTEST_GUILESS_MAIN(tst_TopologyAlerts)
#include "tst_topologyalerts.moc"
