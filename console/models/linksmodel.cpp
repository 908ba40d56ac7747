#include "linksmodel.h"

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

LinksModel::LinksModel(QObject *parent)
    : KeyedTableModel(u"links"_s,
                      {
                              {tr("Node A"), u"a"_s, {}, false},
                              {tr("Node B"), u"b"_s, {}, false},
                              {tr("Round trip (ms)"), u"rtt_ms"_s, {}, true},
                      },
                      parent)
{ }

} // namespace DNotifier::Console
