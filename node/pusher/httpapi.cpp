#include "httpapi.h"

#include "apirequests.h"
#include "hub.h"

#include <common/crypto/digest.h>
#include <common/pusher/channelname.h>
#include <common/pusher/signatures.h>
#include <node/logging.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace DNotifier::Pusher {

using namespace Qt::Literals::StringLiterals;
using Http::Response;

namespace {

// Pusher accepts requests signed up to ten minutes before or after its own clock.
constexpr qint64 TimestampWindowSeconds = 600;

Response jsonResponse(const QJsonObject &object)
{
    return Response::json(200, QJsonDocument(object).toJson(QJsonDocument::Compact));
}

Response refuse(const Error &error)
{
    return Response::error(error.code, error.message);
}

QJsonObject channelInfo(const Broker::Broker &broker,
                        const QString &appId,
                        const QString &channel,
                        const InfoRequest &info)
{
    QJsonObject attributes;
    const Broker::ChannelSummary summary = broker.summary(appId, channel);
    const bool presence = channelType(channel).kind == ChannelKind::Presence;
    if (info.userCount && presence) {
        attributes.insert("user_count"_L1, summary.userCount);
    }
    if (info.subscriptionCount) {
        attributes.insert("subscription_count"_L1, summary.subscriptionCount);
    }
    return attributes;
}

Result<void> checkInfoFits(const InfoRequest &info, const QString &channel)
{
    const bool presence = channelType(channel).kind == ChannelKind::Presence;
    if (info.userCount && !presence) {
        return Error{400, u"user_count is only available for presence channels"_s};
    }
    if (info.cache && !channelType(channel).isCache) {
        return Error{400, u"cache is only available for cache channels"_s};
    }
    return {};
}

Response publishItems(Hub &hub, const QString &appId, const QList<TriggerItem> &items, bool batch)
{
    QJsonArray batchInfo;
    QJsonObject channelsInfo;
    bool wantsInfo = false;
    for (const TriggerItem &item : items) {
        QJsonObject itemInfo;
        for (const QString &channel : item.channels) {
            Broker::Publication publication;
            publication.channel = channel;
            publication.event = item.name;
            publication.data = item.data;
            hub.publish(appId, publication, item.excludeSocketId);
            if (item.info.any()) {
                wantsInfo = true;
                itemInfo = channelInfo(hub.broker(), appId, channel, item.info);
                channelsInfo.insert(channel, itemInfo);
            }
        }
        batchInfo.append(itemInfo);
    }
    if (!wantsInfo) {
        return jsonResponse({});
    }
    return batch ? jsonResponse({{"batch"_L1, batchInfo}})
                 : jsonResponse({{"channels"_L1, channelsInfo}});
}

Response listChannels(const Hub &hub, const QString &appId, const QString &prefix, InfoRequest info)
{
    QJsonObject channels;
    const auto summaries = hub.broker().channels(appId, prefix);
    for (const auto &summary : summaries) {
        QJsonObject attributes;
        if (info.userCount) {
            attributes.insert("user_count"_L1, summary.userCount);
        }
        if (info.subscriptionCount) {
            attributes.insert("subscription_count"_L1, summary.subscriptionCount);
        }
        channels.insert(summary.name, attributes);
    }
    return jsonResponse({{"channels"_L1, channels}});
}

Response describeChannel(const Hub &hub,
                         const QString &appId,
                         const QString &channel,
                         InfoRequest info)
{
    QJsonObject result = channelInfo(hub.broker(), appId, channel, info);
    result.insert("occupied"_L1, hub.broker().summary(appId, channel).occupied);
    if (info.cache) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (const auto cached =
                    hub.broker().cached(appId, channel, now, Broker::CachedPublicationTtlMs)) {
            const qint64 ttl = (cached->createdMs + Broker::CachedPublicationTtlMs - now) / 1000;
            result.insert("cache"_L1, QJsonObject{{"data"_L1, QString::fromUtf8(cached->data)},
                                                  {"ttl"_L1, ttl}});
        }
    }
    return jsonResponse(result);
}

Response listUsers(const Hub &hub, const QString &appId, const QString &channel)
{
    QJsonArray users;
    for (const Broker::PresenceMember &member : hub.broker().presenceMembers(appId, channel)) {
        users.append(QJsonObject{{"id"_L1, member.userId}});
    }
    return jsonResponse({{"users"_L1, users}});
}

} // namespace

HttpApi::HttpApi(std::shared_ptr<const Apps::AppRegistry> apps, Hub *hub)
    : m_apps(std::move(apps))
    , m_hub(hub)
{ }

void HttpApi::handle(const Http::Request &request, const Reply &reply) const
{
    // Deployments may serve the API below a path prefix; signatures start at /apps/.
    const qsizetype start = request.path.indexOf("/apps/"_L1);
    if (start < 0) {
        reply(Response::error(404, u"No such endpoint: %1"_s.arg(request.path.left(200))));
        return;
    }
    const QStringList segments = request.path.mid(start + 1).split(u'/');
    const Config::AppSettings *app = segments.size() > 1 ? m_apps->byId(segments.at(1)) : nullptr;
    if (!app) {
        reply(Response::error(404, u"Unknown app id %1"_s.arg(segments.value(1).left(64))));
        return;
    }
    const qsizetype rawStart = request.rawPath.indexOf("/apps/");
    Result<void> signature = verifySignature(request, *app, request.rawPath.mid(rawStart),
                                             QDateTime::currentSecsSinceEpoch());
    if (!signature && request.rawPath.mid(rawStart) != request.path.mid(start).toUtf8()) {
        signature = verifySignature(request, *app, request.path.mid(start).toUtf8(),
                                    QDateTime::currentSecsSinceEpoch());
    }
    if (!signature) {
        qCInfo(lcApi) << "request refused"
                      << "app=" << app->id << signature.error().message;
        reply(refuse(signature.error()));
        return;
    }
    if (!app->enabled) {
        reply(Response::error(403, u"App %1 is disabled"_s.arg(app->id)));
        return;
    }
    if (!m_apps->tryApiRequest(*app, QDateTime::currentMSecsSinceEpoch())) {
        reply(Response::error(429,
                              u"Too many requests: app %1 takes at most %2 a second"_s.arg(app->id)
                                      .arg(app->maxApiRequestsPerSecond)));
        return;
    }
    route(request, *app, segments.mid(2), reply);
}

void HttpApi::route(const Http::Request &request,
                    const Config::AppSettings &app,
                    const QStringList &segments,
                    const Reply &reply) const
{
    const QString appId = app.id;
    const QByteArray &method = request.method;
    const QString first = segments.value(0);
    if (method == "POST" && segments.size() == 1 && first == "events"_L1) {
        const auto item = parseTrigger(request.body, app);
        if (!item) {
            reply(refuse(item.error()));
            return;
        }
        onHub(reply, [appId, items = QList<TriggerItem>{item.value()}](Hub &hub) {
            return publishItems(hub, appId, items, false);
        });
        return;
    }
    if (method == "POST" && segments.size() == 1 && first == "batch_events"_L1) {
        const auto items = parseBatch(request.body, app);
        if (!items) {
            reply(refuse(items.error()));
            return;
        }
        onHub(reply, [appId, items = items.value()](Hub &hub) {
            return publishItems(hub, appId, items, true);
        });
        return;
    }
    if (method == "POST" && segments.size() == 3 && first == "users"_L1
        && segments.at(2) == "terminate_connections"_L1) {
        onHub(reply, [appId, userId = segments.at(1)](Hub &hub) {
            hub.terminateUser(appId, userId);
            return jsonResponse({});
        });
        return;
    }
    if (method != "GET" || first != "channels"_L1 || segments.size() > 3) {
        reply(Response::error(404, u"No such endpoint: %1 %2"_s.arg(QString::fromLatin1(method),
                                                                    request.path.left(200))));
        return;
    }
    const auto info = parseInfo(request.queryValue("info"));
    if (!info) {
        reply(refuse(info.error()));
        return;
    }
    if (segments.size() == 1) {
        const QString prefix = QString::fromUtf8(request.queryValue("filter_by_prefix"));
        if (info->userCount && !prefix.startsWith("presence-"_L1)) {
            reply(Response::error(400, u"info=user_count needs filter_by_prefix=presence-"_s));
            return;
        }
        onHub(reply, [appId, prefix, info = info.value()](Hub &hub) {
            return listChannels(hub, appId, prefix, info);
        });
        return;
    }
    const QString channel = segments.at(1);
    const Result<void> valid = validateChannelName(channel, app.maxChannelNameLength);
    if (!valid) {
        reply(Response::error(400, valid.error().message));
        return;
    }
    if (segments.size() == 3) {
        if (segments.at(2) != "users"_L1) {
            reply(Response::error(404, u"No such endpoint: %1"_s.arg(request.path.left(200))));
            return;
        }
        if (channelType(channel).kind != ChannelKind::Presence) {
            reply(Response::error(400, u"Users can only be listed for presence channels"_s));
            return;
        }
        onHub(reply, [appId, channel](Hub &hub) { return listUsers(hub, appId, channel); });
        return;
    }
    const Result<void> fits = checkInfoFits(info.value(), channel);
    if (!fits) {
        reply(refuse(fits.error()));
        return;
    }
    onHub(reply, [appId, channel, info = info.value()](Hub &hub) {
        return describeChannel(hub, appId, channel, info);
    });
}

void HttpApi::onHub(const Reply &reply, Work work) const
{
    QMetaObject::invokeMethod(
            m_hub, [hub = m_hub, reply, work = std::move(work)] { reply(work(*hub)); },
            Qt::QueuedConnection);
}

Result<void> HttpApi::verifySignature(const Http::Request &request,
                                      const Config::AppSettings &app,
                                      const QByteArray &signedPath,
                                      qint64 nowSeconds)
{
    if (request.queryValue("auth_key") != app.key) {
        return Error{401, u"Unknown auth_key: it must be the key of app %1"_s.arg(app.id)};
    }
    bool numeric = false;
    const qint64 timestamp = request.queryValue("auth_timestamp").toLongLong(&numeric);
    // Compare against the window's ends: subtracting a hostile timestamp could overflow.
    if (!numeric || timestamp < nowSeconds - TimestampWindowSeconds
        || timestamp > nowSeconds + TimestampWindowSeconds) {
        return Error{401, u"auth_timestamp is missing or more than %1 s away from server time %2"_s
                                  .arg(TimestampWindowSeconds)
                                  .arg(nowSeconds)};
    }
    if (request.queryValue("auth_version") != "1.0") {
        return Error{401, u"auth_version must be 1.0"_s};
    }
    if (!request.body.isEmpty()
        && request.queryValue("body_md5").toLower() != Crypto::md5Hex(request.body)) {
        return Error{401, u"body_md5 does not match the MD5 of the request body"_s};
    }
    const QByteArray expected =
            sign(app.secret, apiStringToSign(request.method, signedPath, request.query));
    const QByteArray received = request.queryValue("auth_signature").toLower();
    if (!Crypto::constantTimeEquals(received, expected)) {
        return Error{401, u"Invalid signature: auth_signature does not match the request"_s};
    }
    return {};
}

} // namespace DNotifier::Pusher
