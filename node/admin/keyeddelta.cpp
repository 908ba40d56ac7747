#include "keyeddelta.h"

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

KeyedItems keyedItems(const QList<QJsonObject> &items)
{
    KeyedItems keyed;
    for (const QJsonObject &item : items) {
        keyed.insert(item.value("key"_L1).toString(), item);
    }
    return keyed;
}

QJsonArray itemArray(const KeyedItems &items)
{
    QJsonArray array;
    for (const QJsonObject &item : items) {
        array.append(item);
    }
    return array;
}

QJsonObject keyedDelta(const KeyedItems &before, const KeyedItems &after)
{
    QJsonArray upsert;
    QJsonArray remove;
    for (auto it = after.cbegin(); it != after.cend(); ++it) {
        const auto old = before.constFind(it.key());
        if (old == before.cend() || *old != it.value()) {
            upsert.append(it.value());
        }
    }
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        if (!after.contains(it.key())) {
            remove.append(it.key());
        }
    }
    if (upsert.isEmpty() && remove.isEmpty()) {
        return {};
    }
    return {{"upsert"_L1, upsert}, {"remove"_L1, remove}};
}

} // namespace DNotifier::Admin
