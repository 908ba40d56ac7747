#pragma once

// The `connections` collection of the connections stream, one page of the connections of the
// node the console is on; total() counts every connection that matches the filter.

#include "keyedtablemodel.h"

namespace DNotifier::Console {

class ConnectionsModel final : public KeyedTableModel
{
    Q_OBJECT

public:
    enum Column {
        IdColumn,
        UserColumn,
        AppColumn,
        ProtocolColumn,
        AddressColumn,
        ConnectedAtColumn,
        ChannelsColumn,
        NodeColumn,
    };

    explicit ConnectionsModel(QObject *parent = nullptr);
};

} // namespace DNotifier::Console
