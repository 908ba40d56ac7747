#pragma once

// The publications of one channel as the tail stream delivers them, newest last, capped so a
// busy channel cannot grow the console without bound. While paused, new publications wait in
// a buffer (also capped) and the rows stand still so they can be read; resuming shows them.

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace DNotifier::Console {

class TailModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        TimeColumn,
        EventColumn,
        OriginColumn,
        DataColumn,
    };

    static constexpr int DefaultCapacity = 1000;

    explicit TailModel(QObject *parent = nullptr);

    void setCapacity(int capacity);

    // A tail delta: a publication, or {"dropped": N}.
    void applyDelta(const QJsonObject &data);
    void clear();

    void setPaused(bool paused);

    bool isPaused() const { return m_paused; }

    // Publications held back while paused.
    int waitingCount() const { return int(m_waiting.size()); }

    // Publications the node left out (its per-tail rate cap), since the last clear.
    qint64 droppedCount() const { return m_dropped; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section,
                        Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void countsChanged();

private:
    struct Publication
    {
        qint64 at = 0;
        QString event;
        QString origin;
        QString data;
    };

    void show(const QList<Publication> &publications);

    QList<Publication> m_rows;
    QList<Publication> m_waiting;
    int m_capacity = DefaultCapacity;
    bool m_paused = false;
    qint64 m_dropped = 0;
};

} // namespace DNotifier::Console
