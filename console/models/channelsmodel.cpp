#include "channelsmodel.h"

#include "formatting.h"

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

ChannelsModel::ChannelsModel(QObject *parent)
    : KeyedTableModel(u"channels"_s,
                      {
                              {tr("App"), u"app"_s, {}, false},
                              {tr("Channel"), u"name"_s, {}, false},
                              {tr("Subscribers"), u"subscribers"_s, {}, true},
                              {tr("Members"), u"members"_s, {}, true},
                              {tr("Publications/s"), u"rate"_s,
                               [](const QJsonObject &channel) {
                                   return formatRate(channel.value("rate"_L1).toDouble());
                               },
                               true},
                      },
                      parent)
{ }

} // namespace DNotifier::Console
