#include "keyedcollection.h"

#include <console/logging.h>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

QString KeyedCollection::keyOf(const QJsonObject &item)
{
    return item.value("key"_L1).toString();
}

void KeyedCollection::applySnapshot(const QJsonArray &items)
{
    Listener &listener = m_listener ? *m_listener : m_silent;
    listener.collectionAboutToReset();
    m_items.clear();
    m_rows.clear();
    for (const QJsonValue &value : items) {
        const QJsonObject item = value.toObject();
        const QString key = keyOf(item);
        if (key.isEmpty()) {
            qCWarning(lcModels) << "snapshot item without a key skipped";
            continue;
        }
        if (const int row = m_rows.value(key, -1); row >= 0) {
            m_items[row] = item;
            continue;
        }
        m_rows.insert(key, int(m_items.size()));
        m_items.append(item);
    }
    listener.collectionReset();
}

void KeyedCollection::applyDelta(const QJsonObject &change)
{
    for (const QJsonValue &key : change.value("remove"_L1).toArray()) {
        remove(key.toString());
    }
    for (const QJsonValue &value : change.value("upsert"_L1).toArray()) {
        upsert(value.toObject());
    }
}

void KeyedCollection::clear()
{
    applySnapshot({});
}

QJsonObject KeyedCollection::find(const QString &key) const
{
    const int row = rowOf(key);
    return row < 0 ? QJsonObject() : m_items.at(row);
}

void KeyedCollection::upsert(const QJsonObject &item)
{
    Listener &listener = m_listener ? *m_listener : m_silent;
    const QString key = keyOf(item);
    if (key.isEmpty()) {
        qCWarning(lcModels) << "delta item without a key skipped";
        return;
    }
    if (const int row = rowOf(key); row >= 0) {
        m_items[row] = item;
        listener.itemChanged(row);
        return;
    }
    const int row = size();
    listener.itemAboutToBeInserted(row);
    m_rows.insert(key, row);
    m_items.append(item);
    listener.itemInserted();
}

void KeyedCollection::remove(const QString &key)
{
    Listener &listener = m_listener ? *m_listener : m_silent;
    const int row = rowOf(key);
    if (row < 0) {
        return;
    }
    listener.itemAboutToBeRemoved(row);
    m_items.removeAt(row);
    m_rows.remove(key);
    for (int later = row; later < size(); ++later) {
        m_rows.insert(keyOf(m_items.at(later)), later);
    }
    listener.itemRemoved();
}

} // namespace DNotifier::Console
