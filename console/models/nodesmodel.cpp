#include "nodesmodel.h"

#include "formatting.h"

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

NodesModel::NodesModel(QObject *parent)
    : KeyedTableModel(u"nodes"_s,
                      {
                              {tr("Name"), u"name"_s, {}, false},
                              {tr("Region"), u"region"_s, {}, false},
                              {tr("State"), u"state"_s,
                               [](const QJsonObject &node) {
                                   QString state = node.value("state"_L1).toString();
                                   if (node.value("draining"_L1).toBool()) {
                                       state += tr(", draining");
                                   }
                                   return state;
                               },
                               false},
                              {tr("Connections"), u"connections"_s, {}, true},
                              {tr("Uptime"), u"uptime_s"_s,
                               [](const QJsonObject &node) {
                                   return formatDuration(node.value("uptime_s"_L1).toInteger());
                               },
                               true},
                              {tr("Gateway"), u"gateway"_s, {}, false},
                              {tr("Version"), u"version"_s, {}, false},
                              {tr("Address"), u"address"_s, {}, false},
                      },
                      parent)
{ }

QString NodesModel::nameOf(const QString &nodeId) const
{
    const QString name = items().find(nodeId).value("name"_L1).toString();
    return name.isEmpty() ? nodeId : name;
}

} // namespace DNotifier::Console
