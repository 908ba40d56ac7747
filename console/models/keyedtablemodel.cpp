#include "keyedtablemodel.h"

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

KeyedTableModel::KeyedTableModel(QString collection, QList<Column> columns, QObject *parent)
    : QAbstractTableModel(parent)
    , m_collection(std::move(collection))
    , m_columns(std::move(columns))
{
    m_items.setListener(this);
}

void KeyedTableModel::applySnapshot(const QJsonObject &data)
{
    m_items.applySnapshot(data.value(m_collection).toArray());
    readTotal(data);
}

void KeyedTableModel::applyDelta(const QJsonObject &data)
{
    if (data.contains(m_collection)) {
        m_items.applyDelta(data.value(m_collection).toObject());
    }
    readTotal(data);
}

void KeyedTableModel::clear()
{
    m_items.clear();
    if (m_total != -1) {
        m_total = -1;
        Q_EMIT totalChanged(m_total);
    }
}

void KeyedTableModel::readTotal(const QJsonObject &data)
{
    const QJsonValue total = data.value("total"_L1);
    if (!total.isDouble() || total.toInteger() == m_total) {
        return;
    }
    m_total = total.toInteger();
    Q_EMIT totalChanged(m_total);
}

int KeyedTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_items.size();
}

int KeyedTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QString KeyedTableModel::displayText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return u"—"_s;
    case QJsonValue::Bool:
        return value.toBool() ? tr("yes") : tr("no");
    case QJsonValue::Double:
        return value.toVariant().toString();
    case QJsonValue::String:
        return value.toString();
    default:
        return QString();
    }
}

QVariant KeyedTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
        return {};
    }
    const QJsonObject &item = m_items.at(index.row());
    const Column &column = m_columns.at(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return column.text ? column.text(item) : displayText(item.value(column.field));
    case Qt::TextAlignmentRole:
        return column.numeric ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case KeyRole:
        return item.value("key"_L1).toString();
    case ItemRole:
        return item;
    case SortRole:
        return item.value(column.field).toVariant();
    default:
        return {};
    }
}

QVariant KeyedTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0
        || section >= m_columns.size()) {
        return {};
    }
    return m_columns.at(section).title;
}

QHash<int, QByteArray> KeyedTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(KeyRole, "key");
    names.insert(ItemRole, "item");
    return names;
}

void KeyedTableModel::collectionAboutToReset()
{
    beginResetModel();
}

void KeyedTableModel::collectionReset()
{
    endResetModel();
}

void KeyedTableModel::itemAboutToBeInserted(int row)
{
    beginInsertRows({}, row, row);
}

void KeyedTableModel::itemInserted()
{
    endInsertRows();
}

void KeyedTableModel::itemAboutToBeRemoved(int row)
{
    beginRemoveRows({}, row, row);
}

void KeyedTableModel::itemRemoved()
{
    endRemoveRows();
}

void KeyedTableModel::itemChanged(int row)
{
    Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
}

} // namespace DNotifier::Console
