#include "codec.h"

#include <common/json/jsonspan.h>
#include <common/json/jsonwriter.h>
#include <node/logging.h>

#include <QJsonArray>
#include <QJsonDocument>

#include <array>
#include <limits>

namespace DNotifier::Centrifuge {

using namespace Qt::Literals::StringLiterals;
using Json::ObjectWriter;

namespace {

struct MethodName
{
    Method method;
    QLatin1StringView name;
};

// The command and reply keys of the protocol (Pong has none: it is the empty object).
constexpr std::array<MethodName, 12> MethodNames{{
        {Method::Connect, "connect"_L1},
        {Method::Subscribe, "subscribe"_L1},
        {Method::Unsubscribe, "unsubscribe"_L1},
        {Method::Publish, "publish"_L1},
        {Method::Presence, "presence"_L1},
        {Method::PresenceStats, "presence_stats"_L1},
        {Method::History, "history"_L1},
        {Method::Ping, "ping"_L1},
        {Method::Send, "send"_L1},
        {Method::Rpc, "rpc"_L1},
        {Method::Refresh, "refresh"_L1},
        {Method::SubRefresh, "sub_refresh"_L1},
}};

QLatin1StringView methodName(Method method)
{
    for (const MethodName &entry : MethodNames) {
        if (entry.method == method) {
            return entry.name;
        }
    }
    return {};
}

std::optional<Method> methodFromKey(const QString &key)
{
    for (const MethodName &entry : MethodNames) {
        if (key == entry.name) {
            return entry.method;
        }
    }
    return std::nullopt;
}

// The one method field of a command, or why there is not exactly one.
Result<Method> findMethod(const QJsonObject &object)
{
    std::optional<Method> method;
    QString methodKey;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const std::optional<Method> found = methodFromKey(it.key());
        if (!found) {
            continue;
        }
        if (method) {
            return Error{0, u"two method fields, \"%1\" and \"%2\""_s.arg(methodKey, it.key())};
        }
        method = found;
        methodKey = it.key();
    }
    if (!method) {
        return Error{0, u"no known method field"_s};
    }
    return *method;
}

Result<quint32> readId(const QJsonObject &object)
{
    const QJsonValue value = object.value("id"_L1);
    if (value.isUndefined()) {
        return Error{0, u"\"id\" is missing"_s};
    }
    if (!value.isDouble()) {
        return Error{0, u"\"id\" must be a number"_s};
    }
    // QJsonValue keeps no difference between 2 and 2.0, so an integral 2.0 passes as well;
    // 1.5 gives the default 0 and fails the range check.
    const qint64 id = value.toInteger(0);
    if (id < 1 || id > std::numeric_limits<quint32>::max()) {
        return Error{0, u"\"id\" must be an integer from 1 to 4294967295"_s};
    }
    return static_cast<quint32>(id);
}

Result<Command> parseCommand(const QJsonObject &object)
{
    // Unknown fields are ignored (newer clients send extras), but an object holding only
    // unknown fields is not a pong: a pong is exactly {}.
    if (object.isEmpty()) {
        return Command{};
    }
    const Result<Method> method = findMethod(object);
    if (!method) {
        return method.error();
    }

    const QLatin1StringView name = methodName(*method);
    const QJsonValue request = object.value(name);
    if (!request.isObject()) {
        return Error{0, u"\"%1\" must be an object"_s.arg(name)};
    }
    // js never puts an id on `send`, which gets no reply; one that comes anyway is ignored
    // (whatever its value) rather than refused, so that the command is still delivered.
    if (*method == Method::Send) {
        return Command{0, Method::Send, request.toObject(), {}};
    }

    const Result<quint32> id = readId(object);
    if (!id) {
        return id.error();
    }
    return Command{*id, *method, request.toObject(), {}};
}

Result<Command> parseLine(QByteArrayView line)
{
    QJsonParseError parseError;
    // The view stays alive for the call and the document copies what it keeps.
    const QJsonDocument document =
            QJsonDocument::fromJson(QByteArray::fromRawData(line.data(), line.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return Error{0, u"not JSON (%1 at offset %2)"_s.arg(parseError.errorString())
                                .arg(parseError.offset)};
    }
    if (!document.isObject()) {
        return Error{0, u"a command must be a JSON object"_s};
    }
    return parseCommand(document.object());
}

void addString(ObjectWriter &writer, QLatin1StringView key, const QString &value)
{
    if (!value.isEmpty()) {
        writer.string(key, value);
    }
}

void addRaw(ObjectWriter &writer, QLatin1StringView key, const QByteArray &json)
{
    if (!json.isEmpty()) {
        writer.raw(key, json);
    }
}

void addInteger(ObjectWriter &writer, QLatin1StringView key, qint64 value)
{
    if (value != 0) {
        writer.integer(key, value);
    }
}

QByteArray tagsJson(const QList<QPair<QString, QString>> &tags)
{
    QByteArray out(1, '{');
    for (const auto &[key, value] : tags) {
        if (out.size() > 1) {
            out += ',';
        }
        Json::appendQuoted(out, key);
        out += ':';
        Json::appendQuoted(out, value);
    }
    out += '}';
    return out;
}

// `{"push":{"channel":C,"<type>":<body>}}`; a push without a channel leaves it out.
QByteArray push(const QString &channel, QLatin1StringView type, const QByteArray &body)
{
    ObjectWriter inner;
    addString(inner, "channel"_L1, channel);
    inner.raw(type, body);
    return ObjectWriter().raw("push"_L1, inner.finish()).finish();
}

QByteArray infoPush(const QString &channel, QLatin1StringView type, const ClientInfo &info)
{
    return push(channel, type, ObjectWriter().raw("info"_L1, clientInfoJson(info)).finish());
}

} // namespace

Result<QList<Command>> parseFrame(const QByteArray &frame)
{
    QList<Command> commands;
    int lineNumber = 0;
    qsizetype start = 0;
    while (start <= frame.size()) {
        qsizetype end = frame.indexOf('\n', start);
        if (end < 0) {
            end = frame.size();
        }
        const QByteArrayView line(frame.constData() + start, end - start);
        start = end + 1;
        ++lineNumber;
        if (line.trimmed().isEmpty()) {
            continue;
        }

        Result<Command> command = parseLine(line);
        if (!command) {
            return Error{DisconnectCode::BadRequest,
                         u"line %1: %2"_s.arg(lineNumber).arg(command.error().message)};
        }
        if (command->method == Method::Publish) {
            // Forwarded byte for byte: re-serialising would reorder keys and respell numbers.
            const auto data = Json::memberSpan(line, {"publish", "data"});
            command.value().rawData = data ? data->toByteArray() : QByteArray();
        }
        commands.append(std::move(command).value());
    }
    // Ref disconnects a client that sends a frame without commands, too.
    if (commands.isEmpty()) {
        return Error{DisconnectCode::BadRequest, u"the frame holds no command"_s};
    }
    return commands;
}

// Undefined (a field that was absent) gives empty bytes, which the writers leave out; null
// gives the text "null".
QByteArray rawJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Undefined:
        return {};
    case QJsonValue::Object:
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    case QJsonValue::Array:
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    default:
        break;
    }
    // QJsonDocument only writes objects and arrays: write a one-element array, drop [ and ].
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

namespace Replies {

QByteArray error(quint32 id, int code, const QString &message, bool temporary)
{
    ObjectWriter body;
    addInteger(body, "code"_L1, code);
    addString(body, "message"_L1, message);
    if (temporary) {
        body.boolean("temporary"_L1, true);
    }
    ObjectWriter reply;
    addInteger(reply, "id"_L1, id);
    return reply.raw("error"_L1, body.finish()).finish();
}

QByteArray result(quint32 id, Method method, const QByteArray &resultJson)
{
    const QLatin1StringView name = methodName(method);
    if (name.isEmpty()) {
        // A pong gets no reply, so the caller has mixed up its commands. Answer with an
        // internal error so that a client waiting on this id still hears back.
        qCWarning(lcCentrifuge, "%s:%d: centrifuge reply for a command without a method id=%u",
                  __FILE__, __LINE__, id);
        return error(id, ErrorCode::Internal, u"internal server error"_s, true);
    }
    ObjectWriter reply;
    addInteger(reply, "id"_L1, id);
    reply.raw(name, resultJson.isEmpty() ? QByteArrayLiteral("{}") : resultJson);
    return reply.finish();
}

} // namespace Replies

namespace Pushes {

QByteArray publication(const QString &channel, const Publication &publication)
{
    return push(channel, "pub"_L1, publicationJson(publication));
}

QByteArray join(const QString &channel, const ClientInfo &info)
{
    return infoPush(channel, "join"_L1, info);
}

QByteArray leave(const QString &channel, const ClientInfo &info)
{
    return infoPush(channel, "leave"_L1, info);
}

QByteArray unsubscribe(const QString &channel, int code, const QString &reason)
{
    ObjectWriter body;
    addInteger(body, "code"_L1, code);
    addString(body, "reason"_L1, reason);
    return push(channel, "unsubscribe"_L1, body.finish());
}

QByteArray ping()
{
    return QByteArrayLiteral("{}");
}

} // namespace Pushes

QByteArray clientInfoJson(const ClientInfo &info)
{
    ObjectWriter writer;
    addString(writer, "user"_L1, info.user);
    addString(writer, "client"_L1, info.client);
    addRaw(writer, "conn_info"_L1, info.connInfo);
    addRaw(writer, "chan_info"_L1, info.chanInfo);
    return writer.finish();
}

QByteArray publicationJson(const Publication &publication)
{
    ObjectWriter writer;
    addRaw(writer, "data"_L1, publication.data);
    if (publication.offset != 0) {
        // Written by hand: ObjectWriter::integer is signed and offsets are uint64.
        writer.raw("offset"_L1, QByteArray::number(publication.offset));
    }
    if (publication.info) {
        writer.raw("info"_L1, clientInfoJson(*publication.info));
    }
    if (!publication.tags.isEmpty()) {
        writer.raw("tags"_L1, tagsJson(publication.tags));
    }
    return writer.finish();
}

} // namespace DNotifier::Centrifuge
