#pragma once

// The items of one keyed collection of an admin stream (docs/admin-protocol.md, "subscribe
// and unsubscribe"): a snapshot replaces them all; a delta upserts items in full and removes
// items by key. Items keep the order in which they first arrived. A listener hears about each
// change before and after it happens, which is what Qt item models need. Not thread-safe.

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace DNotifier::Console {

class KeyedCollection final
{
public:
    class Listener
    {
    public:
        virtual ~Listener() = default;

        virtual void collectionAboutToReset() { }

        virtual void collectionReset() { }

        virtual void itemAboutToBeInserted(int row) { Q_UNUSED(row) }

        virtual void itemInserted() { }

        virtual void itemAboutToBeRemoved(int row) { Q_UNUSED(row) }

        virtual void itemRemoved() { }

        virtual void itemChanged(int row) { Q_UNUSED(row) }
    };

    void setListener(Listener *listener) { m_listener = listener; }

    // Items without a non-empty string "key" are skipped; a repeated key keeps the last item.
    void applySnapshot(const QJsonArray &items);
    // `change` is {"upsert": [...], "remove": [...]}; removals are applied first.
    void applyDelta(const QJsonObject &change);
    void clear();

    int size() const { return int(m_items.size()); }

    const QJsonObject &at(int row) const { return m_items.at(row); }

    // -1 when absent.
    int rowOf(const QString &key) const { return m_rows.value(key, -1); }

    bool contains(const QString &key) const { return m_rows.contains(key); }

    QJsonObject find(const QString &key) const;

    const QList<QJsonObject> &items() const { return m_items; }

private:
    static QString keyOf(const QJsonObject &item);
    void upsert(const QJsonObject &item);
    void remove(const QString &key);

    QList<QJsonObject> m_items;
    QHash<QString, int> m_rows;
    Listener *m_listener = nullptr;
    Listener m_silent;
};

} // namespace DNotifier::Console
