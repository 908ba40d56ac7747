#include "tailmodel.h"

#include <QDateTime>

#include <algorithm>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

TailModel::TailModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void TailModel::setCapacity(int capacity)
{
    m_capacity = std::max(capacity, 1);
}

void TailModel::applyDelta(const QJsonObject &data)
{
    if (data.contains("dropped"_L1)) {
        m_dropped += data.value("dropped"_L1).toInteger();
        Q_EMIT countsChanged();
        return;
    }
    const Publication publication{data.value("at"_L1).toInteger(),
                                  data.value("event"_L1).toString(),
                                  data.value("origin"_L1).toString(),
                                  data.value("data"_L1).toString()};
    if (m_paused) {
        m_waiting.append(publication);
        if (m_waiting.size() > m_capacity) {
            m_waiting.removeFirst();
        }
        Q_EMIT countsChanged();
        return;
    }
    show({publication});
}

void TailModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_waiting.clear();
    m_dropped = 0;
    endResetModel();
    Q_EMIT countsChanged();
}

void TailModel::setPaused(bool paused)
{
    if (m_paused == paused) {
        return;
    }
    m_paused = paused;
    if (!paused) {
        show(std::exchange(m_waiting, {}));
    }
    Q_EMIT countsChanged();
}

void TailModel::show(const QList<Publication> &publications)
{
    if (publications.isEmpty()) {
        return;
    }
    const qsizetype overflow = m_rows.size() + publications.size() - m_capacity;
    if (overflow > 0) {
        const int removed = int(std::min(overflow, m_rows.size()));
        if (removed > 0) {
            beginRemoveRows({}, 0, removed - 1);
            m_rows.remove(0, removed);
            endRemoveRows();
        }
    }
    const qsizetype skip = std::max<qsizetype>(0, publications.size() - m_capacity);
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(publications.size() - skip) - 1);
    m_rows.append(publications.mid(skip));
    endInsertRows();
}

int TailModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TailModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 4;
}

QVariant TailModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || role != Qt::DisplayRole) {
        return {};
    }
    const Publication &publication = m_rows.at(index.row());
    switch (index.column()) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(publication.at).toString(u"HH:mm:ss.zzz"_s);
    case EventColumn:
        return publication.event;
    case OriginColumn:
        return publication.origin;
    case DataColumn:
        return publication.data;
    default:
        return {};
    }
}

QVariant TailModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case EventColumn:
        return tr("Event");
    case OriginColumn:
        return tr("Origin");
    case DataColumn:
        return tr("Data");
    default:
        return {};
    }
}

} // namespace DNotifier::Console
