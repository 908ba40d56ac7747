#include "tokencommand.h"

#include "nodesettings.h"

#include <common/tokens/connectiontoken.h>
#include <node/config/appstore.h>
#include <node/config/settingsloader.h>

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace DNotifier::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

int fail(const QString &message)
{
    QTextStream(stderr) << "dnotifier-node token: " << message << '\n';
    return 2;
}

void addOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
            u"Print a connection token (HS256 JWT signed with an app's secret)."_s);
    parser.addOption({u"app"_s, u"Id of the app; the default app when left out."_s, u"id"_s});
    parser.addOption({u"sub"_s, u"User id (the sub claim); anonymous when left out."_s, u"user"_s});
    parser.addOption(
            {u"channels"_s, u"Comma-separated channels to subscribe on connect."_s, u"list"_s});
    parser.addOption(
            {u"info"_s, u"JSON shown to other clients as the connection's info."_s, u"json"_s});
    parser.addOption({u"ttl"_s, u"Lifetime: seconds or a number with s, m, h or d (1h)."_s,
                      u"duration"_s, u"1h"_s});
    addNodeLocationOptions(parser);
    parser.addHelpOption();
}

Result<Config::AppSettings> findApp(const QCommandLineParser &parser,
                                    const QProcessEnvironment &environment)
{
    const auto settings = loadNodeSettings(parser, environment);
    if (!settings) {
        return settings.error();
    }
    const QString wanted = parser.value(u"app"_s);
    for (const Config::AppSettings &app : settings->apps()) {
        if (wanted.isEmpty() || app.id == wanted) {
            return app;
        }
    }
    return Error{0, u"No app with id %1; see the node's configuration"_s.arg(wanted)};
}

} // namespace

int runTokenCommand(const QStringList &arguments, const QProcessEnvironment &environment)
{
    QCommandLineParser parser;
    addOptions(parser);
    if (!parser.parse(arguments)) {
        return fail(parser.errorText());
    }
    if (parser.isSet(u"help"_s)) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    const auto ttl = Tokens::parseDuration(parser.value(u"ttl"_s));
    if (!ttl) {
        return fail(u"--ttl: "_s + ttl.error().message);
    }
    Tokens::ConnectionTokenRequest request;
    request.subject = parser.value(u"sub"_s);
    request.channels = parser.value(u"channels"_s).split(u',', Qt::SkipEmptyParts);
    request.ttlSeconds = ttl.value();
    request.issuedAt = QDateTime::currentSecsSinceEpoch();
    if (parser.isSet(u"info"_s)) {
        QJsonParseError error;
        const auto info = QJsonDocument::fromJson(parser.value(u"info"_s).toUtf8(), &error);
        if (error.error != QJsonParseError::NoError) {
            return fail(u"--info is not JSON: %1"_s.arg(error.errorString()));
        }
        request.info = info.isObject() ? QJsonValue(info.object()) : QJsonValue(info.array());
    }
    const auto app = findApp(parser, environment);
    if (!app) {
        return fail(app.error().message);
    }
    const auto token = Tokens::issueConnectionToken(request, app->secret);
    if (!token) {
        return fail(token.error().message);
    }
    QTextStream(stdout) << token.value() << '\n';
    return 0;
}

} // namespace DNotifier::Cli
