#include "topologyalerts.h"

#include "linksmodel.h"
#include "nodesmodel.h"

#include <algorithm>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

namespace {

bool isAliveItem(const QJsonObject &node)
{
    return node.value("state"_L1).toString() == "alive"_L1;
}

QString downText(const QString &name, const QString &state)
{
    if (state == "suspect"_L1) {
        return TopologyAlerts::tr("Node %1 is suspect: its peers stopped hearing from it")
                .arg(name);
    }
    if (state == "dead"_L1) {
        return TopologyAlerts::tr("Node %1 is dead").arg(name);
    }
    if (state == "left"_L1) {
        return TopologyAlerts::tr("Node %1 left the cluster").arg(name);
    }
    return TopologyAlerts::tr("Node %1 is %2").arg(name, state);
}

} // namespace

TopologyAlerts::TopologyAlerts(const NodesModel *nodes, const LinksModel *links, QObject *parent)
    : QObject(parent)
    , m_nodes(nodes)
    , m_links(links)
{
    connect(nodes, &QAbstractItemModel::modelReset, this, &TopologyAlerts::rememberNodes);
    connect(nodes, &QAbstractItemModel::rowsInserted, this, &TopologyAlerts::checkNodes);
    connect(nodes, &QAbstractItemModel::rowsRemoved, this, &TopologyAlerts::checkNodes);
    connect(nodes, &QAbstractItemModel::dataChanged, this, &TopologyAlerts::checkNodes);
    connect(links, &QAbstractItemModel::modelReset, this, &TopologyAlerts::rememberLinks);
    connect(links, &QAbstractItemModel::rowsInserted, this, &TopologyAlerts::checkLinks);
    connect(links, &QAbstractItemModel::rowsRemoved, this, &TopologyAlerts::checkLinks);
    rememberNodes();
    rememberLinks();
}

void TopologyAlerts::rememberNodes()
{
    m_knownNodes.clear();
    for (const QJsonObject &node : m_nodes->items().items()) {
        m_knownNodes.insert(node.value("key"_L1).toString(),
                            {node.value("name"_L1).toString(), isAliveItem(node)});
    }
}

void TopologyAlerts::rememberLinks()
{
    m_knownLinks.clear();
    for (const QJsonObject &link : m_links->items().items()) {
        m_knownLinks.insert(link.value("key"_L1).toString());
    }
}

void TopologyAlerts::checkNodes()
{
    QList<TopologyAlert> alerts;
    for (auto known = m_knownNodes.cbegin(); known != m_knownNodes.cend(); ++known) {
        if (known->alive && !m_nodes->items().contains(known.key())) {
            alerts.append({TopologyAlert::Kind::NodeGone,
                           known.key(),
                           {},
                           tr("Node %1 is no longer in the cluster's topology")
                                   .arg(nameOf(known.key()))});
        }
    }
    std::sort(alerts.begin(), alerts.end(),
              [](const TopologyAlert &x, const TopologyAlert &y) { return x.key < y.key; });
    QHash<QString, KnownNode> now;
    for (const QJsonObject &node : m_nodes->items().items()) {
        const QString id = node.value("key"_L1).toString();
        const KnownNode current{node.value("name"_L1).toString(), isAliveItem(node)};
        const auto before = m_knownNodes.constFind(id);
        if (before != m_knownNodes.cend() && before->alive && !current.alive) {
            const QString state = node.value("state"_L1).toString();
            alerts.append({TopologyAlert::Kind::NodeDown, id, state, downText(nameOf(id), state)});
        }
        now.insert(id, current);
    }
    m_knownNodes = now;
    for (const TopologyAlert &alert : std::as_const(alerts)) {
        Q_EMIT alertRaised(alert);
    }
}

// A link that goes because one of its nodes is down is that node's alert, raised already or
// about to be (the nodes collection of a delta is applied before the links collection).
void TopologyAlerts::checkLinks()
{
    QSet<QString> now;
    for (const QJsonObject &link : m_links->items().items()) {
        now.insert(link.value("key"_L1).toString());
    }
    QList<TopologyAlert> alerts;
    for (const QString &key : std::as_const(m_knownLinks)) {
        if (now.contains(key)) {
            continue;
        }
        const QString a = key.section(u'|', 0, 0);
        const QString b = key.section(u'|', 1);
        if (!isAlive(a) || !isAlive(b)) {
            continue;
        }
        alerts.append({TopologyAlert::Kind::LinkGone,
                       key,
                       {},
                       tr("The link between %1 and %2 is down").arg(nameOf(a), nameOf(b))});
    }
    m_knownLinks = now;
    std::sort(alerts.begin(), alerts.end(),
              [](const TopologyAlert &x, const TopologyAlert &y) { return x.key < y.key; });
    for (const TopologyAlert &alert : std::as_const(alerts)) {
        Q_EMIT alertRaised(alert);
    }
}

bool TopologyAlerts::isAlive(const QString &nodeId) const
{
    const QJsonObject node = m_nodes->items().find(nodeId);
    return !node.isEmpty() && isAliveItem(node);
}

QString TopologyAlerts::nameOf(const QString &nodeId) const
{
    const QString name = m_knownNodes.value(nodeId).name;
    return name.isEmpty() ? m_nodes->nameOf(nodeId) : name;
}

} // namespace DNotifier::Console
