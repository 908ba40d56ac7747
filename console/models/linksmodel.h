#pragma once

// The `links` collection of the topology stream: one row per peer link, keyed "a|b".

#include "keyedtablemodel.h"

namespace DNotifier::Console {

class LinksModel final : public KeyedTableModel
{
    Q_OBJECT

public:
    explicit LinksModel(QObject *parent = nullptr);
};

} // namespace DNotifier::Console
