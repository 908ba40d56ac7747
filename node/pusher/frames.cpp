#include "frames.h"

#include <common/json/jsonspan.h>
#include <common/json/jsonwriter.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace DNotifier::Pusher {

using namespace Qt::Literals::StringLiterals;
using Json::ObjectWriter;

Result<ClientFrame> parseClientFrame(const QByteArray &text)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Error{0, u"Invalid JSON at offset %1: %2"_s.arg(parseError.offset)
                                .arg(parseError.errorString())};
    }
    if (!document.isObject()) {
        return Error{0, u"A frame must be a JSON object"_s};
    }
    const QJsonObject object = document.object();
    const QJsonValue event = object.value("event"_L1);
    if (!event.isString() || event.toString().isEmpty()) {
        return Error{0, u"A frame needs a non-empty string \"event\""_s};
    }
    const QJsonValue channel = object.value("channel"_L1);
    if (!channel.isUndefined() && !channel.isString()) {
        return Error{0, u"\"channel\" must be a string"_s};
    }
    // Only client events forward their data; other frames skip the second scan.
    const bool forwarded = event.toString().startsWith("client-"_L1);
    const auto rawData = forwarded ? Json::memberSpan(text, {"data"}) : std::nullopt;
    return ClientFrame{event.toString(), channel.toString(), object.value("data"_L1),
                       rawData ? rawData->toByteArray() : QByteArray()};
}

QByteArray compactJson(const QJsonValue &value)
{
    if (value.isObject()) {
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    }
    if (value.isArray()) {
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    }
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

namespace Frames {

namespace {

// Pusher double-encodes the data of its own events: a JSON string that holds an object.
QByteArray quotedJson(const QByteArray &json)
{
    return Json::quoted(QString::fromUtf8(json));
}

QByteArray internalEvent(QLatin1StringView name, const QString &channel, const QByteArray &inner)
{
    ObjectWriter writer;
    writer.string("event"_L1, QString(name));
    if (!channel.isEmpty()) {
        writer.string("channel"_L1, channel);
    }
    return writer.raw("data"_L1, quotedJson(inner)).finish();
}

QByteArray stringArray(const QStringList &values)
{
    QByteArray out(1, '[');
    for (const QString &value : values) {
        if (out.size() > 1) {
            out += ',';
        }
        Json::appendQuoted(out, value);
    }
    out += ']';
    return out;
}

} // namespace

QByteArray connectionEstablished(const QByteArray &socketId, int activityTimeoutSeconds)
{
    const QByteArray inner = ObjectWriter()
                                     .string("socket_id"_L1, QString::fromLatin1(socketId))
                                     .integer("activity_timeout"_L1, activityTimeoutSeconds)
                                     .finish();
    return internalEvent("pusher:connection_established"_L1, {}, inner);
}

QByteArray error(std::optional<int> code, const QString &message)
{
    ObjectWriter data;
    if (code) {
        data.integer("code"_L1, *code);
    } else {
        data.null("code"_L1);
    }
    data.string("message"_L1, message);
    return ObjectWriter()
            .string("event"_L1, u"pusher:error")
            .raw("data"_L1, data.finish())
            .finish();
}

QByteArray ping()
{
    return internalEvent("pusher:ping"_L1, {}, "{}");
}

QByteArray pong()
{
    return internalEvent("pusher:pong"_L1, {}, "{}");
}

QByteArray subscriptionSucceeded(const QString &channel, const QByteArray &innerJson)
{
    return internalEvent("pusher_internal:subscription_succeeded"_L1, channel, innerJson);
}

QByteArray subscriptionError(const QString &channel,
                             const QString &type,
                             const QString &message,
                             int status)
{
    const QByteArray data = ObjectWriter()
                                    .string("type"_L1, type)
                                    .string("error"_L1, message)
                                    .integer("status"_L1, status)
                                    .finish();
    return ObjectWriter()
            .string("event"_L1, u"pusher:subscription_error")
            .string("channel"_L1, channel)
            .raw("data"_L1, data)
            .finish();
}

QByteArray event(const Broker::Publication &publication)
{
    ObjectWriter writer;
    writer.string("event"_L1, publication.event).string("channel"_L1, publication.channel);
    if (publication.dataIsJson) {
        writer.raw("data"_L1, publication.data);
    } else {
        writer.string("data"_L1, QString::fromUtf8(publication.data));
    }
    if (!publication.userId.isEmpty()) {
        writer.string("user_id"_L1, publication.userId);
    }
    return writer.finish();
}

QByteArray memberAdded(const QString &channel, const Broker::PresenceMember &member)
{
    ObjectWriter inner;
    inner.string("user_id"_L1, member.userId);
    inner.raw("user_info"_L1, member.userInfo.isEmpty() ? QByteArray("null") : member.userInfo);
    return internalEvent("pusher_internal:member_added"_L1, channel, inner.finish());
}

QByteArray memberRemoved(const QString &channel, const QString &userId)
{
    const QByteArray inner = ObjectWriter().string("user_id"_L1, userId).finish();
    return internalEvent("pusher_internal:member_removed"_L1, channel, inner);
}

QByteArray cacheMiss(const QString &channel)
{
    return ObjectWriter()
            .string("event"_L1, u"pusher:cache_miss")
            .string("channel"_L1, channel)
            .finish();
}

QByteArray subscriptionCount(const QString &channel, int count)
{
    const QByteArray inner = ObjectWriter().integer("subscription_count"_L1, count).finish();
    return internalEvent("pusher_internal:subscription_count"_L1, channel, inner);
}

QByteArray signinSuccess(const QByteArray &userData)
{
    const QByteArray inner =
            ObjectWriter().string("user_data"_L1, QString::fromUtf8(userData)).finish();
    return internalEvent("pusher:signin_success"_L1, {}, inner);
}

QByteArray watchlistEvents(const QStringList &online, const QStringList &offline)
{
    QByteArray events(1, '[');
    const auto appendGroup = [&events](QLatin1StringView name, const QStringList &ids) {
        if (ids.isEmpty()) {
            return;
        }
        if (events.size() > 1) {
            events += ',';
        }
        events += ObjectWriter()
                          .string("name"_L1, QString(name))
                          .raw("user_ids"_L1, stringArray(ids))
                          .finish();
    };
    appendGroup("online"_L1, online);
    appendGroup("offline"_L1, offline);
    events += ']';
    const QByteArray inner = ObjectWriter().raw("events"_L1, events).finish();
    return internalEvent("pusher_internal:watchlist_events"_L1, {}, inner);
}

QByteArray presenceData(const QList<Broker::PresenceMember> &members)
{
    QStringList ids;
    QByteArray hashJson(1, '{');
    for (const auto &member : members) {
        ids.append(member.userId);
        if (hashJson.size() > 1) {
            hashJson += ',';
        }
        Json::appendQuoted(hashJson, member.userId);
        hashJson += ':';
        hashJson += member.userInfo.isEmpty() ? QByteArray("null") : member.userInfo;
    }
    hashJson += '}';
    const QByteArray presence = ObjectWriter()
                                        .raw("ids"_L1, stringArray(ids))
                                        .raw("hash"_L1, hashJson)
                                        .integer("count"_L1, members.size())
                                        .finish();
    return ObjectWriter().raw("presence"_L1, presence).finish();
}

} // namespace Frames

} // namespace DNotifier::Pusher
