#include "apirequests.h"

#include <common/pusher/channelname.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace DNotifier::Pusher {

using namespace Qt::Literals::StringLiterals;

namespace {

Result<QJsonObject> parseObject(const QByteArray &body)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError) {
        return Error{400, u"Request body is not valid JSON (offset %1: %2)"_s.arg(error.offset)
                                  .arg(error.errorString())};
    }
    if (!document.isObject()) {
        return Error{400, u"Request body must be a JSON object"_s};
    }
    return document.object();
}

bool isSocketId(const QByteArray &text)
{
    // Anchored as a whole: `$` alone would also accept a trailing newline.
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(u"\\d+\\.\\d+"_s));
    return pattern.match(QString::fromLatin1(text)).hasMatch();
}

Result<QStringList> channelsOf(const QJsonObject &object, const Config::AppSettings &app)
{
    QStringList channels;
    const QJsonValue list = object.value("channels"_L1);
    const QJsonValue single = object.value("channel"_L1);
    if (list.isArray()) {
        for (const QJsonValue &entry : list.toArray()) {
            if (!entry.isString()) {
                return Error{400, u"Every entry of \"channels\" must be a string"_s};
            }
            channels.append(entry.toString());
        }
    } else if (single.isString()) {
        channels.append(single.toString());
    } else {
        return Error{400, u"Give \"channels\" (an array of names) or \"channel\" (one name)"_s};
    }
    if (channels.isEmpty() || channels.size() > app.maxEventChannels) {
        return Error{400, u"An event goes to 1 to %1 channels, not %2"_s.arg(app.maxEventChannels)
                                  .arg(channels.size())};
    }
    for (const QString &channel : std::as_const(channels)) {
        const Result<void> valid = validateChannelName(channel, app.maxChannelNameLength);
        if (!valid) {
            return Error{400, valid.error().message};
        }
        if (channelType(channel).kind == ChannelKind::PrivateEncrypted && channels.size() > 1) {
            return Error{400, u"An event to an encrypted channel must name only that channel"_s};
        }
    }
    return channels;
}

Result<TriggerItem> parseItem(const QJsonObject &object, const Config::AppSettings &app)
{
    const QJsonValue name = object.value("name"_L1);
    if (!name.isString()) {
        return Error{400, u"\"name\" (the event name) must be a string"_s};
    }
    const Result<void> validName = validateEventName(name.toString(), app.maxEventNameLength);
    if (!validName) {
        return Error{400, validName.error().message};
    }
    const QJsonValue data = object.value("data"_L1);
    if (!data.isString()) {
        return Error{400, u"\"data\" must be a string (serialise objects to JSON first)"_s};
    }
    TriggerItem item;
    item.name = name.toString();
    item.data = data.toString().toUtf8();
    if (item.data.size() > app.maxEventPayloadBytes) {
        return Error{413, u"Event data is %1 bytes, the limit is %2"_s.arg(item.data.size())
                                  .arg(app.maxEventPayloadBytes)};
    }
    auto channels = channelsOf(object, app);
    if (!channels) {
        return channels.error();
    }
    item.channels = channels.value();
    const QJsonValue socketId = object.value("socket_id"_L1);
    if (!socketId.isUndefined() && !socketId.isNull()) {
        item.excludeSocketId = socketId.toString().toLatin1();
        if (!socketId.isString() || !isSocketId(item.excludeSocketId)) {
            return Error{400, u"\"socket_id\" must look like 123.456"_s};
        }
    }
    const auto info = parseInfo(object.value("info"_L1).toString().toUtf8());
    if (!info) {
        return info.error();
    }
    item.info = info.value();
    return item;
}

} // namespace

Result<InfoRequest> parseInfo(const QByteArray &text)
{
    InfoRequest info;
    const QList<QByteArray> names = text.split(',');
    for (const QByteArray &raw : names) {
        const QByteArray name = raw.trimmed();
        if (name.isEmpty()) {
            continue;
        }
        if (name == "user_count") {
            info.userCount = true;
        } else if (name == "subscription_count") {
            info.subscriptionCount = true;
        } else if (name == "cache") {
            info.cache = true;
        } else {
            return Error{
                    400,
                    u"Unknown info attribute %1; known are user_count, subscription_count, cache"_s
                            .arg(QString::fromUtf8(name.left(64)))};
        }
    }
    return info;
}

Result<TriggerItem> parseTrigger(const QByteArray &body, const Config::AppSettings &app)
{
    const auto object = parseObject(body);
    if (!object) {
        return object.error();
    }
    return parseItem(object.value(), app);
}

Result<QList<TriggerItem>> parseBatch(const QByteArray &body, const Config::AppSettings &app)
{
    const auto object = parseObject(body);
    if (!object) {
        return object.error();
    }
    const QJsonValue batch = object->value("batch"_L1);
    if (!batch.isArray()) {
        return Error{400, u"\"batch\" must be an array of events"_s};
    }
    const QJsonArray entries = batch.toArray();
    if (entries.isEmpty() || entries.size() > app.maxBatchSize) {
        return Error{400, u"A batch holds 1 to %1 events, not %2"_s.arg(app.maxBatchSize)
                                  .arg(entries.size())};
    }
    QList<TriggerItem> items;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject entry = entries.at(i).toObject();
        if (!entry.value("channels"_L1).isUndefined() || !entry.value("channel"_L1).isString()) {
            return Error{400, u"Batch event %1 needs one \"channel\" string"_s.arg(i)};
        }
        auto item = parseItem(entry, app);
        if (!item) {
            return Error{item.error().code,
                         u"Batch event %1: %2"_s.arg(i).arg(item.error().message)};
        }
        items.append(item.value());
    }
    return items;
}

} // namespace DNotifier::Pusher
