#pragma once

// The Centrifuge client protocol v2, JSON flavour: reading the commands a client sends and
// writing the replies and pushes the node sends. Pure functions without state, safe from any
// thread; the fuzzers drive parseFrame.
//
// A WebSocket text frame holds one or more JSON objects separated by '\n'. A command is
// {"id":N,"<method>":{...}}; `send` has no id; the empty object {} is a pong. Fields of the
// protocol's bytes type (publication data, info) are raw JSON, not base64.

#include <common/result.h>

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace DNotifier::Centrifuge {

enum class Method {
    Connect,
    Subscribe,
    Unsubscribe,
    Publish,
    Presence,
    PresenceStats,
    History,
    Ping,
    Send,
    Rpc,
    Refresh,
    SubRefresh,
    // The empty object {}: a client's answer to the server's ping.
    Pong,
};

struct Command
{
    // 0 only for Send and Pong, which get no reply.
    quint32 id = 0;
    Method method = Method::Pong;
    // The method's request object, e.g. {"channel":"news","token":"..."}.
    QJsonObject request;
    // Publish only: the data value exactly as the client wrote it.
    QByteArray rawData;
};

// Error codes in replies (protocol section "Codes").
namespace ErrorCode {
inline constexpr int Internal = 100;
inline constexpr int Unauthorized = 101;
inline constexpr int UnknownChannel = 102;
inline constexpr int PermissionDenied = 103;
inline constexpr int MethodNotFound = 104;
inline constexpr int AlreadySubscribed = 105;
inline constexpr int LimitExceeded = 106;
inline constexpr int BadRequest = 107;
inline constexpr int NotAvailable = 108;
inline constexpr int TokenExpired = 109;
inline constexpr int Expired = 110;
inline constexpr int TooManyRequests = 111;
inline constexpr int UnrecoverablePosition = 112;
} // namespace ErrorCode

// Codes of unsubscribe pushes: below 2500 final, from 2500 the client resubscribes.
namespace UnsubscribeCode {
inline constexpr int Server = 2000;
inline constexpr int InsufficientState = 2500;
inline constexpr int SubscriptionExpired = 2501;
} // namespace UnsubscribeCode

// Disconnect codes, sent as the WebSocket close code with a plain-text reason.
namespace DisconnectCode {
inline constexpr int Shutdown = 3001;
inline constexpr int ConnectionExpired = 3005;
inline constexpr int Slow = 3008;
inline constexpr int InsufficientState = 3010;
inline constexpr int NoPong = 3012;
inline constexpr int TooManyRequests = 3013;
inline constexpr int InvalidToken = 3500;
inline constexpr int BadRequest = 3501;
inline constexpr int Stale = 3502;
inline constexpr int ForceDisconnect = 3503;
inline constexpr int ConnectionLimit = 3504;
inline constexpr int ChannelLimit = 3505;
inline constexpr int MessageSizeLimit = 3506;
} // namespace DisconnectCode

// Every command of a frame, in order. Any malformed line (not JSON, not an object, no or
// several method fields, an id that is not a positive uint32 where one is required, a request
// that is not an object) fails the whole frame with DisconnectCode::BadRequest as the error
// code: the caller disconnects with it.
Result<QList<Command>> parseFrame(const QByteArray &frame);

// A JSON value written compactly, for raw-JSON fields (data, info).
QByteArray rawJson(const QJsonValue &value);

struct ClientInfo
{
    QString user;
    QString client;
    // Raw JSON, left out when empty.
    QByteArray connInfo;
    QByteArray chanInfo;
};

struct Publication
{
    QByteArray data;    // raw JSON
    quint64 offset = 0; // left out when 0
    std::optional<ClientInfo> info;
    QList<QPair<QString, QString>> tags; // left out when empty
};

namespace Replies {

// `{"id":N,"error":{"code":C,"message":"..."}}`, with "temporary":true when asked.
QByteArray error(quint32 id, int code, const QString &message, bool temporary = false);
// `{"id":N,"<method>":<resultJson>}`; resultJson is an object's JSON text, "{}" for empty.
QByteArray result(quint32 id, Method method, const QByteArray &resultJson);

} // namespace Replies

namespace Pushes {

QByteArray publication(const QString &channel, const Publication &publication);
QByteArray join(const QString &channel, const ClientInfo &info);
QByteArray leave(const QString &channel, const ClientInfo &info);
QByteArray unsubscribe(const QString &channel, int code, const QString &reason);
// The server's ping: the empty object.
QByteArray ping();

} // namespace Pushes

// JSON text of pieces that replies embed.
QByteArray clientInfoJson(const ClientInfo &info);
QByteArray publicationJson(const Publication &publication);

} // namespace DNotifier::Centrifuge
