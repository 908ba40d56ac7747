#pragma once

// The `channels` collection of the channels stream, one page of it; total() counts every
// channel that matches the filter.

#include "keyedtablemodel.h"

namespace DNotifier::Console {

class ChannelsModel final : public KeyedTableModel
{
    Q_OBJECT

public:
    enum Column {
        AppColumn,
        NameColumn,
        SubscribersColumn,
        MembersColumn,
        RateColumn,
    };

    explicit ChannelsModel(QObject *parent = nullptr);
};

} // namespace DNotifier::Console
