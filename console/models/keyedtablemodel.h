#pragma once

// A table model over one keyed collection of an admin stream. Subclasses name the collection
// and its columns; the model takes the stream's snapshot and delta events as they come and
// emits fine-grained row signals, so views keep their selection across updates. Streams that
// page (channels, connections) also carry `total`, the count of all matching items.

#include "keyedcollection.h"

#include <QAbstractTableModel>

#include <functional>

namespace DNotifier::Console {

class KeyedTableModel : public QAbstractTableModel, private KeyedCollection::Listener
{
    Q_OBJECT

public:
    enum Role {
        KeyRole = Qt::UserRole + 1,
        // The whole item as a QJsonObject.
        ItemRole,
        // The raw value of the column, for sorting numbers as numbers.
        SortRole,
    };

    struct Column
    {
        QString title;
        QString field;
        // Text for the display role; empty means the field's value as it is.
        std::function<QString(const QJsonObject &)> text;
        bool numeric = false;
    };

    QString collection() const { return m_collection; }

    // `data` is the event's data object; this model reads its own collection from it.
    void applySnapshot(const QJsonObject &data);
    void applyDelta(const QJsonObject &data);
    void clear();

    const KeyedCollection &items() const { return m_items; }

    // -1 when the stream does not send one.
    qint64 total() const { return m_total; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section,
                        Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // A JSON value as the tables show it: null as a dash, booleans as yes or no.
    static QString displayText(const QJsonValue &value);

Q_SIGNALS:
    void totalChanged(qint64 total);

protected:
    KeyedTableModel(QString collection, QList<Column> columns, QObject *parent);

private:
    void readTotal(const QJsonObject &data);

    void collectionAboutToReset() override;
    void collectionReset() override;
    void itemAboutToBeInserted(int row) override;
    void itemInserted() override;
    void itemAboutToBeRemoved(int row) override;
    void itemRemoved() override;
    void itemChanged(int row) override;

    QString m_collection;
    QList<Column> m_columns;
    KeyedCollection m_items;
    qint64 m_total = -1;
};

} // namespace DNotifier::Console
