#include "streamview.h"

namespace DNotifier::Admin {

QJsonObject snapshotData(const StreamView &view)
{
    QJsonObject data = view.fields;
    for (auto it = view.collections.cbegin(); it != view.collections.cend(); ++it) {
        data.insert(it.key(), itemArray(it.value()));
    }
    return data;
}

QJsonObject deltaData(const StreamView &before, const StreamView &after, bool fieldsAlways)
{
    QJsonObject data;
    for (auto it = after.collections.cbegin(); it != after.collections.cend(); ++it) {
        const QJsonObject delta = keyedDelta(before.collections.value(it.key()), it.value());
        if (!delta.isEmpty()) {
            data.insert(it.key(), delta);
        }
    }
    if (fieldsAlways || (!data.isEmpty() || before.fields != after.fields)) {
        for (auto it = after.fields.begin(); it != after.fields.end(); ++it) {
            data.insert(it.key(), it.value());
        }
    }
    if (!fieldsAlways && data.isEmpty()) {
        return {};
    }
    return data;
}

} // namespace DNotifier::Admin
