#pragma once

// Which changes of the cluster's topology deserve the operator's attention: a node that was
// alive turns suspect, dead or left, or leaves the topology; a link between two live nodes
// disappears. It watches the nodes and links models and remembers what they said last. A
// model reset (the snapshot that follows every connection and reconnection, or a clear) only
// sets that memory: what changed while the console was away raises nothing. A node raises at
// most one alert until it is alive again, and a link that goes with a node that is down adds
// nothing to that node's alert. No widgets: the main window shows what this class decides.

#include <QHash>
#include <QMetaType>
#include <QObject>
#include <QSet>
#include <QString>

namespace DNotifier::Console {

class LinksModel;
class NodesModel;

struct TopologyAlert
{
    enum class Kind {
        // A node went from alive to suspect, dead or left; `state` says which.
        NodeDown,
        // A node that was alive is no longer in the topology.
        NodeGone,
        // A link between two nodes that are still alive disappeared.
        LinkGone,
    };

    Kind kind = Kind::NodeDown;
    // The node id, or the link key ("a|b").
    QString key;
    // The node's new state; empty for the other kinds.
    QString state;
    // One translated sentence for the activity log and the notification.
    QString text;

    bool operator==(const TopologyAlert &other) const = default;
};

class TopologyAlerts final : public QObject
{
    Q_OBJECT

public:
    TopologyAlerts(const NodesModel *nodes, const LinksModel *links, QObject *parent = nullptr);

Q_SIGNALS:
    void alertRaised(const DNotifier::Console::TopologyAlert &alert);

private:
    struct KnownNode
    {
        QString name;
        bool alive = false;
    };

    void rememberNodes();
    void rememberLinks();
    void checkNodes();
    void checkLinks();
    bool isAlive(const QString &nodeId) const;
    QString nameOf(const QString &nodeId) const;

    const NodesModel *m_nodes;
    const LinksModel *m_links;
    QHash<QString, KnownNode> m_knownNodes;
    QSet<QString> m_knownLinks;
};

} // namespace DNotifier::Console

Q_DECLARE_METATYPE(DNotifier::Console::TopologyAlert)
