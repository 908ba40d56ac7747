#include "admincommands.h"

#include "adminerrors.h"

#include <common/tokens/connectiontoken.h>
#include <node/apps/credentialmanager.h>
#include <node/broker/types.h>
#include <node/centrifuge/hub.h>
#include <node/cluster/jointoken.h>
#include <node/pusher/apirequests.h>
#include <node/pusher/hub.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 MaxTokenSeconds = 366LL * 24 * 3600;
constexpr qint64 MinJoinSeconds = 60;
constexpr qint64 MaxJoinSeconds = 30LL * 24 * 3600;
constexpr qsizetype MaxTextLength = 1024;

Error badRequest(const QString &message)
{
    return adminError(ErrorCode::BadRequest, message);
}

Result<QString> requiredText(const QJsonObject &params, QLatin1StringView key)
{
    const QJsonValue value = params.value(key);
    if (!value.isString() || value.toString().isEmpty()
        || value.toString().size() > MaxTextLength) {
        return badRequest(
                u"\"%1\" must be a non-empty string of at most %2 characters"_s.arg(key).arg(
                        MaxTextLength));
    }
    return value.toString();
}

Result<qint64> seconds(const QJsonObject &params,
                       QLatin1StringView key,
                       qint64 fallback,
                       qint64 min,
                       qint64 max)
{
    const QJsonValue value = params.value(key);
    if (value.isUndefined()) {
        return fallback;
    }
    const double number = value.toDouble(-1);
    if (!value.isDouble() || number < double(min) || number > double(max)
        || number != qint64(number)) {
        return badRequest(
                u"\"%1\" must be a whole number of seconds from %2 to %3"_s.arg(key).arg(min).arg(
                        max));
    }
    return qint64(number);
}

Result<const Config::AppSettings *> appOf(const CommandTargets &targets, const QJsonObject &params)
{
    const Result<QString> id = requiredText(params, "app"_L1);
    if (!id) {
        return id.error();
    }
    const Config::AppSettings *app = targets.apps->byId(*id);
    if (!app) {
        return adminError(ErrorCode::NotFound, u"no app with id \"%1\""_s.arg(*id));
    }
    return app;
}

Result<QJsonObject> issueToken(const CommandTargets &targets, const QJsonObject &params)
{
    const Result<const Config::AppSettings *> app = appOf(targets, params);
    if (!app) {
        return app.error();
    }
    const QString kind = params.value("kind"_L1).toString();
    if (kind != "connection"_L1 && kind != "subscription"_L1) {
        return badRequest(u"\"kind\" must be \"connection\" or \"subscription\""_s);
    }
    Tokens::ConnectionTokenRequest request;
    const QJsonValue subject = params.value("subject"_L1);
    if (!subject.isUndefined()
        && (!subject.isString() || subject.toString().size() > MaxTextLength)) {
        return badRequest(u"\"subject\" must be a string"_s);
    }
    request.subject = subject.toString();
    if (kind == "subscription"_L1) {
        const Result<QString> channel = requiredText(params, "channel"_L1);
        if (!channel) {
            return channel.error();
        }
        request.channel = *channel;
    }
    const QJsonValue info = params.value("info"_L1);
    if (!info.isUndefined() && !info.isObject()) {
        return badRequest(u"\"info\" must be an object"_s);
    }
    request.info = info;
    const Result<qint64> ttl = seconds(params, "expires_in"_L1, 3600, 1, MaxTokenSeconds);
    if (!ttl) {
        return ttl.error();
    }
    request.ttlSeconds = *ttl;
    request.issuedAt = QDateTime::currentSecsSinceEpoch();
    const Result<QByteArray> token = Tokens::issueConnectionToken(request, (*app)->secret);
    if (!token) {
        return adminError(ErrorCode::Failed, token.error().message);
    }
    return QJsonObject{{"token"_L1, QString::fromLatin1(*token)},
                       {"expires_at"_L1, request.issuedAt + request.ttlSeconds}};
}

Result<QJsonObject> createJoinToken(const CommandTargets &targets, const QJsonObject &params)
{
    const Result<qint64> ttl = seconds(params, "ttl"_L1, 3600, MinJoinSeconds, MaxJoinSeconds);
    if (!ttl) {
        return ttl.error();
    }
    QList<QString> seeds;
    const QJsonValue given = params.value("seeds"_L1);
    if (!given.isUndefined()) {
        if (!given.isArray() || given.toArray().isEmpty()) {
            return badRequest(u"\"seeds\" must be a non-empty list of \"host:port\""_s);
        }
        for (const QJsonValue &seed : given.toArray()) {
            if (const Result<void> checked = Cluster::checkSeedAddress(seed.toString()); !checked) {
                return badRequest(u"\"seeds\": "_s + checked.error().message);
            }
            seeds.append(seed.toString());
        }
    } else {
        const QString own = targets.settings.cluster.dialAddress(targets.peerPort());
        if (own.isEmpty()) {
            return badRequest(u"this node listens for peers on an address other nodes cannot "
                              "dial; give \"seeds\" or set its advertise address"_s);
        }
        seeds.append(own);
    }
    const qint64 expiresAt = QDateTime::currentSecsSinceEpoch() + *ttl;
    const QString token = Cluster::encodeJoinToken(targets.clusterSecret, seeds, expiresAt);
    const Config::AppSettings &app = targets.apps->apps().constFirst();
    // Every node needs the same apps, so the command carries the default app along.
    const QString command =
            u"DNOTIFIER_JOIN='%1' DNOTIFIER_APP_ID=%2 DNOTIFIER_APP_KEY=%3 "
            "DNOTIFIER_APP_SECRET=%4 dnotifier-node"_s.arg(token, app.id,
                                                           QString::fromLatin1(app.key),
                                                           QString::fromLatin1(app.secret));
    return QJsonObject{{"token"_L1, token}, {"command"_L1, command}, {"expires_at"_L1, expiresAt}};
}

Result<QJsonObject> kick(const CommandTargets &targets, const QJsonObject &params)
{
    const Result<QString> id = requiredText(params, "connection"_L1);
    if (!id) {
        return id.error();
    }
    bool numeric = false;
    const quint64 connection = id->toULongLong(&numeric);
    if (!numeric || !targets.kick(connection)) {
        return adminError(ErrorCode::NotFound,
                          u"no connection \"%1\" on node %2"_s.arg(id->left(64), targets.nodeId()));
    }
    return QJsonObject{};
}

Result<QJsonObject> terminateUser(const CommandTargets &targets, const QJsonObject &params)
{
    const Result<const Config::AppSettings *> app = appOf(targets, params);
    if (!app) {
        return app.error();
    }
    const Result<QString> user = requiredText(params, "user"_L1);
    if (!user) {
        return user.error();
    }
    targets.pusherHub->terminateUser((*app)->id, *user);
    targets.centrifugeHub->disconnectUser((*app)->id, *user, QString());
    return QJsonObject{};
}

Result<QJsonObject> publish(const CommandTargets &targets, const QJsonObject &params)
{
    const Result<const Config::AppSettings *> app = appOf(targets, params);
    if (!app) {
        return app.error();
    }
    // Checked by the HTTP API's own rules (channel and event names, the app's payload limit),
    // so the console can publish nothing a service could not.
    QJsonObject trigger{{"name"_L1, params.value("event"_L1)},
                        {"channel"_L1, params.value("channel"_L1)},
                        {"data"_L1, params.value("data"_L1)}};
    const Result<Pusher::TriggerItem> item =
            Pusher::parseTrigger(QJsonDocument(trigger).toJson(QJsonDocument::Compact), **app);
    if (!item) {
        return badRequest(item.error().message);
    }
    Broker::Publication publication;
    publication.channel = item->channels.constFirst();
    publication.event = item->name;
    publication.data = item->data;
    publication.origin = Broker::Origin::Api;
    targets.pusherHub->publish((*app)->id, publication, QByteArray());
    return QJsonObject{};
}

// The credential manager's answers, with its errors as the protocol's.
Result<QJsonObject> credentialResult(const Result<QJsonObject> &result)
{
    if (!result) {
        return adminError(ErrorCode::Failed, result.error().message);
    }
    return QJsonObject{{"app"_L1, *result}};
}

const QStringList AppMethods{u"list_apps"_s, u"create_app"_s, u"rotate_app"_s,
                             u"set_app_enabled"_s};

Result<QJsonObject> changeApp(const CommandTargets &targets,
                              const QString &method,
                              const QJsonObject &params)
{
    Apps::CredentialManager &credentials = *targets.credentials;
    if (method == "list_apps"_L1) {
        return QJsonObject{{"apps"_L1, credentials.list()}};
    }
    if (method == "create_app"_L1) {
        return credentialResult(credentials.create());
    }
    const Result<const Config::AppSettings *> app = appOf(targets, params);
    if (!app) {
        return app.error();
    }
    if (method == "rotate_app"_L1) {
        return credentialResult(credentials.rotate((*app)->id));
    }
    const QJsonValue enabled = params.value("enabled"_L1);
    if (!enabled.isBool()) {
        return badRequest(u"\"enabled\" must be true or false"_s);
    }
    return credentialResult(credentials.setEnabled((*app)->id, enabled.toBool()));
}

} // namespace

bool isCommand(const QString &method)
{
    static const QStringList commands =
            QStringList{u"issue_token"_s,    u"create_join_token"_s, u"kick"_s,
                        u"terminate_user"_s, u"publish"_s,           u"drain"_s}
            + AppMethods;
    return commands.contains(method);
}

Result<QJsonObject> runCommand(const CommandTargets &targets,
                               const QString &method,
                               const QJsonObject &params)
{
    if (method == "issue_token"_L1) {
        return issueToken(targets, params);
    }
    if (method == "create_join_token"_L1) {
        return createJoinToken(targets, params);
    }
    if (method == "kick"_L1) {
        return kick(targets, params);
    }
    if (method == "terminate_user"_L1) {
        return terminateUser(targets, params);
    }
    if (method == "publish"_L1) {
        return publish(targets, params);
    }
    if (method == "drain"_L1) {
        targets.drain();
        return QJsonObject{};
    }
    if (AppMethods.contains(method)) {
        return changeApp(targets, method, params);
    }
    return adminError(ErrorCode::UnknownMethod, u"unknown method \"%1\""_s.arg(method.left(64)));
}

QJsonObject auditedParams(const QString &method, const QJsonObject &params)
{
    QJsonObject kept = params;
    // Published data can be anything a customer sends; the log keeps its size, not its bytes.
    if (method == "publish"_L1) {
        kept.insert("data"_L1,
                    u"(%1 bytes)"_s.arg(params.value("data"_L1).toString().toUtf8().size()));
    }
    return kept;
}

} // namespace DNotifier::Admin
