#include "serverapi.h"

#include "codec.h"
#include "hub.h"

#include <common/crypto/digest.h>
#include <common/json/jsonspan.h>
#include <common/json/jsonwriter.h>
#include <node/logging.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace DNotifier::Centrifuge {

using namespace Qt::Literals::StringLiterals;
using Http::Response;
using Json::ObjectWriter;

namespace {

const QLatin1StringView ApiPrefix("/api/");

using Work = std::function<Result<QByteArray>(Hub &, const Config::AppSettings &)>;

Response resultResponse(const Result<QByteArray> &result)
{
    if (!result) {
        const QByteArray error = ObjectWriter()
                                         .integer("code"_L1, result.error().code)
                                         .string("message"_L1, result.error().message)
                                         .finish();
        return Response::json(200, ObjectWriter().raw("error"_L1, error).finish());
    }
    return Response::json(200, ObjectWriter().raw("result"_L1, result.value()).finish());
}

Error badRequest(const QString &why)
{
    return Error{ErrorCode::BadRequest, u"bad request: "_s + why};
}

QList<QPair<QString, QString>> tagsOf(const QJsonObject &body)
{
    QList<QPair<QString, QString>> tags;
    const QJsonObject object = body.value("tags"_L1).toObject();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        tags.append({it.key(), it.value().toString()});
    }
    return tags;
}

// The data member exactly as the service wrote it: forwarded without re-serialising.
QByteArray dataOf(const QJsonObject &body, const QByteArray &rawBody)
{
    const auto span = Json::memberSpan(rawBody, {"data"});
    return span ? span->toByteArray() : rawJson(body.value("data"_L1));
}

Result<Work> publishWork(const QJsonObject &body, const QByteArray &rawBody)
{
    const QString channel = body.value("channel"_L1).toString();
    if (channel.isEmpty() || body.value("data"_L1).isUndefined()) {
        return badRequest(u"publish needs a channel and data"_s);
    }
    return Work([channel, data = dataOf(body, rawBody),
                 tags = tagsOf(body)](Hub &hub, const Config::AppSettings &app) {
        return hub.publishFromApi(app, channel, data, tags);
    });
}

Result<Work> broadcastWork(const QJsonObject &body, const QByteArray &rawBody)
{
    const QJsonArray channels = body.value("channels"_L1).toArray();
    if (channels.isEmpty() || body.value("data"_L1).isUndefined()) {
        return badRequest(u"broadcast needs channels and data"_s);
    }
    QStringList names;
    for (const QJsonValue &channel : channels) {
        if (channel.toString().isEmpty()) {
            return badRequest(u"every channel must be a non-empty string"_s);
        }
        names.append(channel.toString());
    }
    return Work(
            [names, data = dataOf(body, rawBody),
             tags = tagsOf(body)](Hub &hub, const Config::AppSettings &app) -> Result<QByteArray> {
                QByteArray responses(1, '[');
                for (const QString &channel : names) {
                    if (responses.size() > 1) {
                        responses += ',';
                    }
                    const auto published = hub.publishFromApi(app, channel, data, tags);
                    responses += resultResponse(published).body;
                }
                responses += ']';
                return ObjectWriter().raw("responses"_L1, responses).finish();
            });
}

Result<Work> readWork(const QString &method, const QJsonObject &body)
{
    const QString channel = body.value("channel"_L1).toString();
    if (method == "channels"_L1) {
        return Work([pattern = body.value("pattern"_L1).toString()](Hub &hub,
                                                                    const Config::AppSettings &app)
                            -> Result<QByteArray> { return hub.channelsResult(app.id, pattern); });
    }
    if (channel.isEmpty()) {
        return badRequest(method + u" needs a channel"_s);
    }
    if (method == "presence"_L1 || method == "presence_stats"_L1) {
        const bool stats = method == "presence_stats"_L1;
        return Work(
                [channel, stats](Hub &hub, const Config::AppSettings &app) -> Result<QByteArray> {
                    const Config::NamespaceSettings *space = app.namespaceOf(channel);
                    if (!space) {
                        return Error{ErrorCode::UnknownChannel, u"unknown channel"_s};
                    }
                    return hub.presenceResult(app.id, channel, stats);
                });
    }
    HistoryRequest request;
    request.channel = channel;
    request.limit = body.value("limit"_L1).toInt();
    request.reverse = body.value("reverse"_L1).toBool();
    if (body.contains("since"_L1)) {
        const QJsonObject since = body.value("since"_L1).toObject();
        request.since =
                RecoverRequest{true, quint64(qMax<qint64>(0, since.value("offset"_L1).toInteger())),
                               since.value("epoch"_L1).toString()};
    }
    return Work([request](Hub &hub, const Config::AppSettings &app) {
        return hub.historyResult(app, request);
    });
}

Result<Work> workFor(const QString &method, const QJsonObject &body, const QByteArray &rawBody)
{
    if (method == "publish"_L1) {
        return publishWork(body, rawBody);
    }
    if (method == "broadcast"_L1) {
        return broadcastWork(body, rawBody);
    }
    if (method == "presence"_L1 || method == "presence_stats"_L1 || method == "history"_L1
        || method == "channels"_L1) {
        return readWork(method, body);
    }
    if (method == "disconnect"_L1) {
        const QString user = body.value("user"_L1).toString();
        if (user.isEmpty()) {
            return badRequest(u"disconnect needs a user"_s);
        }
        return Work(
                [user, client = body.value("client"_L1).toString()](Hub &hub,
                                                                    const Config::AppSettings &app)
                        -> Result<QByteArray> {
                    hub.disconnectUser(app.id, user, client);
                    return QByteArray("{}");
                });
    }
    return Error{ErrorCode::MethodNotFound, u"method not found"_s};
}

} // namespace

ServerApi::ServerApi(std::shared_ptr<const Apps::AppRegistry> apps, Hub *hub)
    : m_apps(std::move(apps))
    , m_hub(hub)
{ }

bool ServerApi::handles(const QString &path)
{
    return path.startsWith(ApiPrefix);
}

void ServerApi::handle(const Http::Request &request, const Reply &reply) const
{
    if (request.method != "POST") {
        reply(Response::error(405, u"The server API takes POST requests"_s));
        return;
    }
    const Config::AppSettings *app = authenticate(request);
    if (!app) {
        qCInfo(lcApi) << "server API request with a wrong or missing API key";
        Response refused = Response::json(401, {});
        refused.contentType = "text/plain";
        reply(refused);
        return;
    }
    if (!m_apps->tryApiRequest(*app, QDateTime::currentMSecsSinceEpoch())) {
        Response limited = Response::json(429, u"too many requests: at most %1 a second\n"_s
                                                       .arg(app->maxApiRequestsPerSecond)
                                                       .toUtf8());
        limited.contentType = "text/plain";
        reply(limited);
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument body = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !body.isObject()) {
        Response bad = Response::json(400, "request body must be a JSON object\n");
        bad.contentType = "text/plain";
        reply(bad);
        return;
    }
    const auto work = workFor(request.path.mid(ApiPrefix.size()), body.object(), request.body);
    if (!work) {
        reply(resultResponse(work.error()));
        return;
    }
    QMetaObject::invokeMethod(
            m_hub,
            [hub = m_hub, reply, app = *app, work = work.value()] {
                reply(resultResponse(work(*hub, app)));
            },
            Qt::QueuedConnection);
}

const Config::AppSettings *ServerApi::authenticate(const Http::Request &request) const
{
    QByteArray presented = request.header("X-API-Key");
    if (presented.isEmpty()) {
        const QByteArray authorization = request.header("Authorization");
        if (authorization.toLower().startsWith("apikey ")) {
            presented = authorization.mid(7).trimmed();
        }
    }
    if (presented.isEmpty()) {
        presented = request.queryValue("api_key");
    }
    if (presented.isEmpty()) {
        return nullptr;
    }
    for (const Config::AppSettings &app : m_apps->apps()) {
        const QByteArray &expected = app.apiKey.isEmpty() ? app.secret : app.apiKey;
        if (app.enabled && Crypto::constantTimeEquals(presented, expected)) {
            return &app;
        }
    }
    return nullptr;
}

} // namespace DNotifier::Centrifuge
