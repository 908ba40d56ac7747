#include "connectionsmodel.h"

#include "formatting.h"

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

ConnectionsModel::ConnectionsModel(QObject *parent)
    : KeyedTableModel(u"connections"_s,
                      {
                              {tr("Connection"), u"id"_s, {}, false},
                              {tr("User"), u"user"_s, {}, false},
                              {tr("App"), u"app"_s, {}, false},
                              {tr("Protocol"), u"protocol"_s, {}, false},
                              {tr("Address"), u"address"_s, {}, false},
                              {tr("Connected at"), u"connected_at"_s,
                               [](const QJsonObject &connection) {
                                   return formatTimestamp(
                                           connection.value("connected_at"_L1).toInteger());
                               },
                               false},
                              {tr("Channels"), u"channels"_s, {}, true},
                              {tr("Node"), u"node"_s, {}, false},
                      },
                      parent)
{ }

} // namespace DNotifier::Console
