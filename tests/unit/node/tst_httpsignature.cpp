#include <node/pusher/httpapi.h>

#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Pusher;
using namespace Qt::Literals::StringLiterals;

using QueryPairs = QList<QPair<QByteArray, QByteArray>>;

namespace {

// Signatures below were computed with `openssl dgst -sha256 -hmac` over the string to sign
// written out by hand (Pusher protocol brief, section 2.1), never with the code under test.
constexpr qint64 ExampleBTime = 1700000000;

Config::AppSettings docsApp()
{
    Config::AppSettings app;
    app.id = u"3"_s;
    app.key = "278d425bdf160c739803"_ba;
    app.secret = "7ad3773142a6692b25b8"_ba;
    return app;
}

Config::AppSettings probeApp()
{
    Config::AppSettings app;
    app.id = u"42"_s;
    app.key = "probe-key"_ba;
    app.secret = "probe-secret"_ba;
    return app;
}

Http::Request request(const QByteArray &method,
                      const QByteArray &path,
                      const QueryPairs &query,
                      const QByteArray &body = {})
{
    Http::Request result;
    result.method = method;
    result.rawPath = path;
    result.path = QString::fromUtf8(path);
    result.query = query;
    result.body = body;
    return result;
}

QueryPairs replaced(QueryPairs query, const QByteArray &key, const QByteArray &value)
{
    for (auto &pair : query) {
        if (pair.first == key) {
            pair.second = value;
        }
    }
    return query;
}

QueryPairs without(QueryPairs query, const QByteArray &key)
{
    query.removeIf([&key](const auto &pair) { return pair.first == key; });
    return query;
}

// Worked example A: the documented trigger.
Http::Request exampleA()
{
    return request(
            "POST"_ba, "/apps/3/events"_ba,
            {{"auth_key"_ba, "278d425bdf160c739803"_ba},
             {"auth_timestamp"_ba, "1353088179"_ba},
             {"auth_version"_ba, "1.0"_ba},
             {"body_md5"_ba, "ec365a775a4cd0599faeb73354201b6f"_ba},
             {"auth_signature"_ba,
              "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"_ba}},
            "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}"_ba);
}

// Worked example B, GET: the query arrives percent-decoded (`%2C` is already a comma).
QueryPairs exampleBChannelsQuery()
{
    return {{"filter_by_prefix"_ba, "presence-"_ba},
            {"info"_ba, "user_count,subscription_count"_ba},
            {"auth_key"_ba, "probe-key"_ba},
            {"auth_timestamp"_ba, "1700000000"_ba},
            {"auth_version"_ba, "1.0"_ba},
            {"auth_signature"_ba,
             "4d6bbf0d9832ebf431303f3618dea8a4ebb7b569890ec31e7a5b6df0983a7e87"_ba}};
}

Http::Request exampleBChannels()
{
    return request("GET"_ba, "/apps/42/channels"_ba, exampleBChannelsQuery());
}

// Worked example B, POST: the 96-byte trigger body.
Http::Request exampleBTrigger()
{
    return request(
            "POST"_ba, "/apps/42/events"_ba,
            {{"auth_key"_ba, "probe-key"_ba},
             {"auth_timestamp"_ba, "1700000000"_ba},
             {"auth_version"_ba, "1.0"_ba},
             {"body_md5"_ba, "075cc089bf3489f7f420c35544908bf7"_ba},
             {"auth_signature"_ba,
              "c4dfe8fadca451fbe6777e668c22522905cc210ee3d17c500e3931a366add411"_ba}},
            "{\"name\":\"order-shipped\",\"data\":\"{\\\"id\\\":7}\",\"channels\":[\"private-orders\"],\"socket_id\":\"123.456\"}"_ba);
}

} // namespace

class tst_HttpSignature final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void verifySignature_data();
    void verifySignature();
};

void tst_HttpSignature::verifySignature_data()
{
    QTest::addColumn<Http::Request>("request");
    QTest::addColumn<Config::AppSettings>("app");
    QTest::addColumn<QByteArray>("signedPath");
    QTest::addColumn<qint64>("now");
    // Empty when the request must be accepted, else a word the refusal must mention.
    QTest::addColumn<QString>("refusal");

    const Http::Request channels = exampleBChannels();
    const Http::Request trigger = exampleBTrigger();
    const QByteArray channelsPath = "/apps/42/channels"_ba;
    const QByteArray eventsPath = "/apps/42/events"_ba;

    QTest::newRow("worked example A (the documented request) is accepted")
            << exampleA() << docsApp() << "/apps/3/events"_ba << qint64(1353088179) << QString();
    QTest::newRow("worked example B for a channels query is accepted")
            << channels << probeApp() << channelsPath << ExampleBTime << QString();
    QTest::newRow("worked example B for a trigger is accepted")
            << trigger << probeApp() << eventsPath << ExampleBTime << QString();
    QTest::newRow("an upper-case hex signature is accepted") << request(
            "GET"_ba, channelsPath,
            replaced(exampleBChannelsQuery(), "auth_signature"_ba,
                     "4D6BBF0D9832EBF431303F3618DEA8A4EBB7B569890EC31E7A5B6DF0983A7E87"_ba))
                                                             << probeApp() << channelsPath
                                                             << ExampleBTime << QString();

    QTest::newRow("a request signed 600 s ago is accepted")
            << channels << probeApp() << channelsPath << ExampleBTime + 600 << QString();
    QTest::newRow("a request signed 600 s ahead is accepted")
            << channels << probeApp() << channelsPath << ExampleBTime - 600 << QString();
    QTest::newRow("a request signed 601 s ago is refused")
            << channels << probeApp() << channelsPath << ExampleBTime + 601 << u"auth_timestamp"_s;
    QTest::newRow("a request signed 601 s ahead is refused")
            << channels << probeApp() << channelsPath << ExampleBTime - 601 << u"auth_timestamp"_s;
    QTest::newRow("a timestamp that is not a number is refused")
            << request("GET"_ba, channelsPath,
                       replaced(exampleBChannelsQuery(), "auth_timestamp"_ba, "1700000000.5"_ba))
            << probeApp() << channelsPath << ExampleBTime << u"auth_timestamp"_s;
    QTest::newRow("the smallest 64-bit timestamp is refused")
            << request("GET"_ba, channelsPath,
                       replaced(exampleBChannelsQuery(), "auth_timestamp"_ba,
                                "-9223372036854775808"_ba))
            << probeApp() << channelsPath << ExampleBTime << u"auth_timestamp"_s;
    QTest::newRow("the largest 64-bit timestamp is refused")
            << request("GET"_ba, channelsPath,
                       replaced(exampleBChannelsQuery(), "auth_timestamp"_ba,
                                "9223372036854775807"_ba))
            << probeApp() << channelsPath << ExampleBTime << u"auth_timestamp"_s;
    QTest::newRow("a request signed with another app's key is refused") << request(
            "GET"_ba, channelsPath,
            replaced(replaced(exampleBChannelsQuery(), "auth_key"_ba, "other-key"_ba),
                     "auth_signature"_ba,
                     "4df74db8cca4c4b5daaaf577f5c735bb46d03ba9ea27a5c9ebda5938bd3c5c6d"_ba))
                                                                        << probeApp()
                                                                        << channelsPath
                                                                        << ExampleBTime
                                                                        << u"auth_key"_s;
    QTest::newRow("a request signed with another secret is refused") << request(
            "GET"_ba, channelsPath,
            replaced(exampleBChannelsQuery(), "auth_signature"_ba,
                     "f0f55a88efae463be70804c7c95cdc093901f79cbf89597123295c51f9d53cb8"_ba))
                                                                     << probeApp() << channelsPath
                                                                     << ExampleBTime
                                                                     << u"signature"_s;
    QTest::newRow("a request without auth_version is refused even when signed that way")
            << request("GET"_ba, channelsPath,
                       replaced(
                               without(exampleBChannelsQuery(), "auth_version"_ba),
                               "auth_signature"_ba,
                               "ceb8a2bfae14a0a8b29b7b3206fd2873e82fd872bf7cbda20176c625a2f81b0b"_ba))
            << probeApp() << channelsPath << ExampleBTime << u"auth_version"_s;
    QTest::newRow("a request with auth_version 2.0 is refused even when signed that way")
            << request("GET"_ba, channelsPath,
                       replaced(
                               replaced(exampleBChannelsQuery(), "auth_version"_ba, "2.0"_ba),
                               "auth_signature"_ba,
                               "31b38865f691bb474618f58bd41e37cc6a2cfb3dee9378a49836b0fd5c8929e9"_ba))
            << probeApp() << channelsPath << ExampleBTime << u"auth_version"_s;
    QTest::newRow("a request without auth_timestamp is refused even when signed that way")
            << request("GET"_ba, channelsPath,
                       replaced(
                               without(exampleBChannelsQuery(), "auth_timestamp"_ba),
                               "auth_signature"_ba,
                               "7fd982a1ed3478472e92804293a2c4f99432a21875e3ff5114daca00071e0d50"_ba))
            << probeApp() << channelsPath << ExampleBTime << u"auth_timestamp"_s;
    QTest::newRow("a request without auth_signature is refused")
            << request("GET"_ba, channelsPath,
                       without(exampleBChannelsQuery(), "auth_signature"_ba))
            << probeApp() << channelsPath << ExampleBTime << u"signature"_s;
    QTest::newRow("a signature one character short is refused") << request(
            "GET"_ba, channelsPath,
            replaced(exampleBChannelsQuery(), "auth_signature"_ba,
                     "4d6bbf0d9832ebf431303f3618dea8a4ebb7b569890ec31e7a5b6df0983a7e8"_ba))
                                                                << probeApp() << channelsPath
                                                                << ExampleBTime << u"signature"_s;
    QTest::newRow("a changed query value is refused")
            << request("GET"_ba, channelsPath,
                       replaced(exampleBChannelsQuery(), "filter_by_prefix"_ba, "private-"_ba))
            << probeApp() << channelsPath << ExampleBTime << u"signature"_s;
    QTest::newRow("an added query parameter is refused")
            << request("GET"_ba, channelsPath,
                       exampleBChannelsQuery() + QueryPairs{{"extra"_ba, "1"_ba}})
            << probeApp() << channelsPath << ExampleBTime << u"signature"_s;
    QTest::newRow("a signature over a different path is refused")
            << request("GET"_ba, "/apps/42/channels/presence-x"_ba, exampleBChannelsQuery())
            << probeApp() << "/apps/42/channels/presence-x"_ba << ExampleBTime << u"signature"_s;
    QTest::newRow("a signature over a different method is refused")
            << request("POST"_ba, channelsPath, exampleBChannelsQuery()) << probeApp()
            << channelsPath << ExampleBTime << u"signature"_s;

    Http::Request tampered = trigger;
    tampered.body.replace("order-shipped", "order-shipper");
    QTest::newRow("a body that does not match body_md5 is refused")
            << tampered << probeApp() << eventsPath << ExampleBTime << u"body_md5"_s;
    QTest::newRow("a body without body_md5 is refused even when signed that way")
            << request("POST"_ba, eventsPath,
                       {{"auth_key"_ba, "probe-key"_ba},
                        {"auth_timestamp"_ba, "1700000000"_ba},
                        {"auth_version"_ba, "1.0"_ba},
                        {"auth_signature"_ba,
                         "9bd483b691699bef8baa3e2c0749de9a00ea3179e875adff99000879620394b5"_ba}},
                       trigger.body)
            << probeApp() << eventsPath << ExampleBTime << u"body_md5"_s;
}

void tst_HttpSignature::verifySignature()
{
    QFETCH(Http::Request, request);
    QFETCH(Config::AppSettings, app);
    QFETCH(QByteArray, signedPath);
    QFETCH(qint64, now);
    QFETCH(QString, refusal);

    const Result<void> result = HttpApi::verifySignature(request, app, signedPath, now);
    if (refusal.isEmpty()) {
        QVERIFY2(result.isOk(), qPrintable(result.error().message));
        return;
    }
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().code, 401);
    QVERIFY2(result.error().message.contains(refusal), qPrintable(result.error().message));
}

QTEST_GUILESS_MAIN(tst_HttpSignature)
#include "tst_httpsignature.moc"
