#pragma once

// The `nodes` collection of the topology stream: one row per node of the cluster.

#include "keyedtablemodel.h"

namespace DNotifier::Console {

class NodesModel final : public KeyedTableModel
{
    Q_OBJECT

public:
    explicit NodesModel(QObject *parent = nullptr);

    // The node's name, or its id when it has none or is unknown.
    QString nameOf(const QString &nodeId) const;
};

} // namespace DNotifier::Console
