#pragma once

// Keyed collections of the admin streams (topology nodes, channels, connections): items are
// JSON objects with a string "key". A delta names the items added or changed, in full, and
// the keys of the items gone, so a client applies it without knowing what changed inside.

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>

namespace DNotifier::Admin {

// Items by key, in key order.
using KeyedItems = QMap<QString, QJsonObject>;

KeyedItems keyedItems(const QList<QJsonObject> &items);
QJsonArray itemArray(const KeyedItems &items);
// {"upsert": [...], "remove": [...]}, or an empty object when nothing changed.
QJsonObject keyedDelta(const KeyedItems &before, const KeyedItems &after);

} // namespace DNotifier::Admin
