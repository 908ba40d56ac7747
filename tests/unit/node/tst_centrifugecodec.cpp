#include <node/centrifuge/codec.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <limits>

using namespace DNotifier;
using namespace DNotifier::Centrifuge;
using namespace Qt::Literals::StringLiterals;

using Tags = QList<QPair<QString, QString>>;

namespace {

// Test JSON is written with ' for " so that the captured traffic stays readable; no fixture
// in this file holds an apostrophe. Tests of escaping use ordinary literals.
QByteArray json(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

QJsonObject objectOf(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return {};
    }
    return document.object();
}

// The text re-parsed and written again: QJsonObject sorts keys and numbers, so two texts
// with the same meaning give the same bytes, and a failed comparison prints both.
QByteArray normalised(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return "not a JSON object: " + text;
    }
    return document.toJson(QJsonDocument::Compact);
}

// Whether a dotted key path ("push.pub.offset") exists in the object.
bool hasPath(const QJsonObject &object, const QString &path)
{
    const QStringList keys = path.split(u'.');
    QJsonObject current = object;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (!current.contains(keys.at(i))) {
            return false;
        }
        if (i + 1 < keys.size()) {
            current = current.value(keys.at(i)).toObject();
        }
    }
    return true;
}

ClientInfo alice()
{
    return ClientInfo{u"42"_s, u"cid-1"_s, json("{'name':'Alice'}"), {}};
}

ClientInfo bob()
{
    return ClientInfo{u"43"_s, u"b0b-client-id"_s, json("{'name':'Bob'}"), {}};
}

Publication publication(const QByteArray &data,
                        quint64 offset,
                        std::optional<ClientInfo> info = std::nullopt,
                        const Tags &tags = {})
{
    return Publication{data, offset, std::move(info), tags};
}

} // namespace

class tst_CentrifugeCodec final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseFrameReadsOneCommand_data();
    void parseFrameReadsOneCommand();
    void parseFrameKeepsOrder_data();
    void parseFrameKeepsOrder();
    void parseFrameRefuses_data();
    void parseFrameRefuses();
    void rawJson_data();
    void rawJson();
    void writesShape_data();
    void writesShape();
    void writtenTextIsCompact();
    void errorMessageIsEscaped();
    void offsetIsAnUnsignedNumber();
    void resultForPongIsAnInternalError();
};

void tst_CentrifugeCodec::parseFrameReadsOneCommand_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<Method>("method");
    QTest::addColumn<quint32>("id");
    QTest::addColumn<QByteArray>("request");

    const auto row = [](const char *name, const char *line, Method method, quint32 id,
                        const char *request) {
        QTest::newRow(name) << json(line) << method << id << json(request);
    };

    // Every client line of the capture (notes, section 10), in capture order.
    row("the captured connect with token, data, name and version is read",
        "{'connect':{'token':'<JWT>','data':{'app':'capture'},'name':'js','version':'1.2.3'},'id':1}",
        Method::Connect, 1,
        "{'token':'<JWT>','data':{'app':'capture'},'name':'js','version':'1.2.3'}");
    row("the captured subscribe batched with connect is read",
        "{'subscribe':{'channel':'news','positioned':true,'recoverable':true,'flag':1},'id':2}",
        Method::Subscribe, 2, "{'channel':'news','positioned':true,'recoverable':true,'flag':1}");
    row("the captured subscribe with a token from getToken is read",
        "{'subscribe':{'channel':'chat:room1','token':'<JWT>','data':{'lang':'en'},'join_leave':true,'flag':1},'id':3}",
        Method::Subscribe, 3,
        "{'channel':'chat:room1','token':'<JWT>','data':{'lang':'en'},'join_leave':true,'flag':1}");
    row("the captured publish is read",
        "{'publish':{'channel':'chat:room1','data':{'text':'hello'}},'id':4}", Method::Publish, 4,
        "{'channel':'chat:room1','data':{'text':'hello'}}");
    row("the captured presence is read", "{'presence':{'channel':'chat:room1'},'id':5}",
        Method::Presence, 5, "{'channel':'chat:room1'}");
    row("the captured presence_stats is read", "{'presence_stats':{'channel':'chat:room1'},'id':6}",
        Method::PresenceStats, 6, "{'channel':'chat:room1'}");
    row("the captured history with a limit is read",
        "{'history':{'channel':'chat:room1','limit':10},'id':7}", Method::History, 7,
        "{'channel':'chat:room1','limit':10}");
    row("the captured history with since is read",
        "{'history':{'channel':'chat:room1','since':{'offset':0,'epoch':'xVoZ'},'limit':5},'id':8}",
        Method::History, 8,
        "{'channel':'chat:room1','since':{'offset':0,'epoch':'xVoZ'},'limit':5}");
    row("the captured history with limit 0 is read",
        "{'history':{'channel':'chat:room1','limit':0},'id':9}", Method::History, 9,
        "{'channel':'chat:room1','limit':0}");
    row("the captured reverse history with limit -1 is read",
        "{'history':{'channel':'chat:room1','limit':-1,'reverse':true},'id':10}", Method::History,
        10, "{'channel':'chat:room1','limit':-1,'reverse':true}");
    row("the captured rpc is read", "{'rpc':{'method':'getTime','data':{'tz':'UTC'}},'id':11}",
        Method::Rpc, 11, "{'method':'getTime','data':{'tz':'UTC'}}");
    row("the captured send without an id is read", "{'send':{'data':{'event':'typing'}}}",
        Method::Send, 0, "{'data':{'event':'typing'}}");
    row("the captured pong is read", "{}", Method::Pong, 0, "{}");
    row("the captured sub_refresh is read",
        "{'sub_refresh':{'channel':'chat:room1','token':'<JWT>'},'id':12}", Method::SubRefresh, 12,
        "{'channel':'chat:room1','token':'<JWT>'}");
    row("the captured refresh is read", "{'refresh':{'token':'<JWT>'},'id':13}", Method::Refresh,
        13, "{'token':'<JWT>'}");
    row("the captured reconnect keeps counting ids",
        "{'connect':{'token':'<JWT>','data':{'app':'capture'},'name':'js','version':'1.2.3'},'id':14}",
        Method::Connect, 14,
        "{'token':'<JWT>','data':{'app':'capture'},'name':'js','version':'1.2.3'}");
    row("the captured recovering subscribe is read",
        "{'subscribe':{'channel':'chat:room1','token':'<JWT>','data':{'lang':'en'},'join_leave':true,'flag':1,'recover':true,'offset':3,'epoch':'xVoZ'},'id':15}",
        Method::Subscribe, 15,
        "{'channel':'chat:room1','token':'<JWT>','data':{'lang':'en'},'join_leave':true,'flag':1,'recover':true,'offset':3,'epoch':'xVoZ'}");
    row("the captured resubscribe after reconnect is read",
        "{'subscribe':{'channel':'news','positioned':true,'recoverable':true,'flag':1},'id':16}",
        Method::Subscribe, 16, "{'channel':'news','positioned':true,'recoverable':true,'flag':1}");
    row("the captured resubscribe after unsubscribe 2500 is read",
        "{'subscribe':{'channel':'chat:room1','token':'<JWT>','data':{'lang':'en'},'join_leave':true,'flag':1,'recover':true,'offset':5,'epoch':'xVoZ'},'id':17}",
        Method::Subscribe, 17,
        "{'channel':'chat:room1','token':'<JWT>','data':{'lang':'en'},'join_leave':true,'flag':1,'recover':true,'offset':5,'epoch':'xVoZ'}");
    row("the captured unsubscribe is read", "{'unsubscribe':{'channel':'chat:room1'},'id':18}",
        Method::Unsubscribe, 18, "{'channel':'chat:room1'}");
    row("the captured connect with an expired token is read",
        "{'connect':{'token':'<JWT exp in past>','name':'js'},'id':1}", Method::Connect, 1,
        "{'token':'<JWT exp in past>','name':'js'}");
    row("the captured subscribe with an expired token is read",
        "{'subscribe':{'channel':'chat:private','token':'<JWT exp in past>','flag':1},'id':2}",
        Method::Subscribe, 2, "{'channel':'chat:private','token':'<JWT exp in past>','flag':1}");
    row("the captured connect after getToken is read",
        "{'connect':{'token':'<JWT>','name':'js'},'id':3}", Method::Connect, 3,
        "{'token':'<JWT>','name':'js'}");
    row("the captured subscribe batched again with the expired token is read",
        "{'subscribe':{'channel':'chat:private','token':'<JWT exp in past>','flag':1},'id':4}",
        Method::Subscribe, 4, "{'channel':'chat:private','token':'<JWT exp in past>','flag':1}");
    row("the captured subscribe after sub getToken is read",
        "{'subscribe':{'channel':'chat:private','token':'<JWT>','flag':1},'id':5}",
        Method::Subscribe, 5, "{'channel':'chat:private','token':'<JWT>','flag':1}");
    row("the captured connect with server-side channels is read",
        "{'connect':{'token':'<JWT channels:[personal:42]>','name':'js'},'id':1}", Method::Connect,
        1, "{'token':'<JWT channels:[personal:42]>','name':'js'}");
    row("the captured connect recovering server-side subs is read",
        "{'connect':{'token':'<JWT>','name':'js','subs':{'personal:42':{'recover':true,'offset':1,'epoch':'xVoZ'}}},'id':2}",
        Method::Connect, 2,
        "{'token':'<JWT>','name':'js','subs':{'personal:42':{'recover':true,'offset':1,'epoch':'xVoZ'}}}");
    row("the captured publish to a read-only channel is read",
        "{'publish':{'channel':'readonly:x','data':{'a':1}},'id':3}", Method::Publish, 3,
        "{'channel':'readonly:x','data':{'a':1}}");
    row("the captured connect with headers is read",
        "{'connect':{'token':'<JWT>','name':'js','headers':{'X-Tenant':'acme'}},'id':1}",
        Method::Connect, 1, "{'token':'<JWT>','name':'js','headers':{'X-Tenant':'acme'}}");
    row("the captured subscribe asking for fossil delta is read",
        "{'subscribe':{'channel':'chat:delta','flag':1,'recover':true,'offset':7,'epoch':'oldE','delta':'fossil'},'id':2}",
        Method::Subscribe, 2,
        "{'channel':'chat:delta','flag':1,'recover':true,'offset':7,'epoch':'oldE','delta':'fossil'}");
    row("the captured connect after a disconnect push is read",
        "{'connect':{'token':'<JWT>','name':'js','headers':{'X-Tenant':'acme'}},'id':4}",
        Method::Connect, 4, "{'token':'<JWT>','name':'js','headers':{'X-Tenant':'acme'}}");
    row("the captured recovering subscribe without offset is read",
        "{'subscribe':{'channel':'chat:delta','flag':1,'recover':true,'epoch':'xVoZ','delta':'fossil'},'id':5}",
        Method::Subscribe, 5,
        "{'channel':'chat:delta','flag':1,'recover':true,'epoch':'xVoZ','delta':'fossil'}");
    row("the captured connect with a malformed token is read",
        "{'connect':{'token':'not-a-jwt','name':'js'},'id':1}", Method::Connect, 1,
        "{'token':'not-a-jwt','name':'js'}");

    // Beyond the capture.
    // js never sends an id with `send`; one that comes anyway is ignored, not refused.
    row("a send with an id is accepted and the id dropped", "{'send':{'data':1},'id':7}",
        Method::Send, 0, "{'data':1}");
    row("a send with a malformed id is accepted as well", "{'send':{},'id':'x'}", Method::Send, 0,
        "{}");
    row("the largest uint32 id is accepted", "{'presence':{'channel':'a'},'id':4294967295}",
        Method::Presence, 4294967295U, "{'channel':'a'}");
    row("an id written as 2.0 is read as 2", "{'refresh':{},'id':2.0}", Method::Refresh, 2, "{}");
    row("the id may come first", "{'id':21,'rpc':{'method':'m'}}", Method::Rpc, 21,
        "{'method':'m'}");
    row("unknown top-level fields are ignored",
        "{'publish':{'channel':'a','data':1},'id':3,'extra':{'x':1}}", Method::Publish, 3,
        "{'channel':'a','data':1}");
    row("newer request fields reach the caller untouched",
        "{'connect':{'name':'js','flag':2,'profile':'p'},'id':1}", Method::Connect, 1,
        "{'name':'js','flag':2,'profile':'p'}");
    row("the ping command is read although js never sends it", "{'ping':{},'id':9}", Method::Ping,
        9, "{}");
    row("a pong with whitespace inside is read", " { } ", Method::Pong, 0, "{}");
    row("a line ending in a carriage return is read", "{'unsubscribe':{'channel':'a'},'id':8}\r",
        Method::Unsubscribe, 8, "{'channel':'a'}");
}

void tst_CentrifugeCodec::parseFrameReadsOneCommand()
{
    QFETCH(QByteArray, frame);
    QFETCH(Method, method);
    QFETCH(quint32, id);
    QFETCH(QByteArray, request);

    const Result<QList<Command>> commands = parseFrame(frame);
    QVERIFY2(commands.isOk(), qPrintable(commands.error().message));
    QCOMPARE(commands->size(), 1);
    const Command &command = commands->first();
    QVERIFY(command.method == method);
    QCOMPARE(command.id, id);
    QCOMPARE(QJsonDocument(command.request).toJson(QJsonDocument::Compact), normalised(request));
}

void tst_CentrifugeCodec::parseFrameKeepsOrder_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QList<Method>>("methods");
    QTest::addColumn<QList<quint32>>("ids");

    QTest::newRow("the captured connect and subscribe batch keeps its order")
            << json("{'connect':{'token':'<JWT>','name':'js'},'id':1}\n"
                    "{'subscribe':{'channel':'news','flag':1},'id':2}")
            << QList<Method>{Method::Connect, Method::Subscribe} << QList<quint32>{1, 2};
    QTest::newRow("the captured reconnect batch of three keeps its order")
            << json("{'connect':{'token':'<JWT>','name':'js'},'id':14}\n"
                    "{'subscribe':{'channel':'chat:room1','recover':true,'offset':3},'id':15}\n"
                    "{'subscribe':{'channel':'news','flag':1},'id':16}")
            << QList<Method>{Method::Connect, Method::Subscribe, Method::Subscribe}
            << QList<quint32>{14, 15, 16};
    QTest::newRow("a trailing newline is harmless")
            << json("{'publish':{'channel':'a'},'id':4}\n") << QList<Method>{Method::Publish}
            << QList<quint32>{4};
    QTest::newRow("blank lines between commands are skipped")
            << json("\n{'presence':{},'id':5}\n\n  \n{'history':{},'id':6}\n\n")
            << QList<Method>{Method::Presence, Method::History} << QList<quint32>{5, 6};
    QTest::newRow("lines separated by CRLF are read")
            << json("{'rpc':{},'id':1}\r\n{'rpc':{},'id':2}\r\n")
            << QList<Method>{Method::Rpc, Method::Rpc} << QList<quint32>{1, 2};
    QTest::newRow("a pong, a send and a command share a frame")
            << json("{}\n{'send':{'data':1}}\n{'refresh':{'token':'t'},'id':3}")
            << QList<Method>{Method::Pong, Method::Send, Method::Refresh}
            << QList<quint32>{0, 0, 3};
    QTest::newRow("ids keep frame order even when they fall")
            << json("{'unsubscribe':{},'id':9}\n{'sub_refresh':{},'id':3}")
            << QList<Method>{Method::Unsubscribe, Method::SubRefresh} << QList<quint32>{9, 3};
}

void tst_CentrifugeCodec::parseFrameKeepsOrder()
{
    QFETCH(QByteArray, frame);
    QFETCH(QList<Method>, methods);
    QFETCH(QList<quint32>, ids);

    const Result<QList<Command>> commands = parseFrame(frame);
    QVERIFY2(commands.isOk(), qPrintable(commands.error().message));
    QList<Method> readMethods;
    QList<quint32> readIds;
    for (const Command &command : *commands) {
        readMethods.append(command.method);
        readIds.append(command.id);
    }
    QVERIFY(readMethods == methods);
    QCOMPARE(readIds, ids);
}

void tst_CentrifugeCodec::parseFrameRefuses_data()
{
    QTest::addColumn<QByteArray>("frame");
    // A piece of the error message: it has to say which line and which field.
    QTest::addColumn<QString>("reason");

    const auto row = [](const char *name, const char *frame, const QString &reason) {
        QTest::newRow(name) << json(frame) << reason;
    };

    row("text that is not JSON is refused", "{'connect':", u"line 1: not JSON"_s);
    row("two objects on one line are refused", "{}{}", u"line 1: not JSON"_s);
    row("a JSON array is refused", "[]", u"line 1:"_s);
    row("an array of commands is refused", "[{'ping':{},'id':1}]",
        u"line 1: a command must be a JSON object"_s);
    row("a JSON number is refused", "1", u"line 1:"_s);
    row("a JSON string is refused", "'ping'", u"line 1:"_s);
    row("JSON null is refused", "null", u"line 1:"_s);
    row("two method fields are refused", "{'connect':{},'subscribe':{},'id':1}",
        u"line 1: two method fields"_s);
    row("a send beside another method is refused", "{'send':{},'rpc':{},'id':1}",
        u"two method fields"_s);
    row("an id without a method is refused", "{'id':1}", u"line 1: no known method field"_s);
    row("an id of 0 without a method is refused", "{'id':0}", u"no known method field"_s);
    row("an unknown method alone is refused", "{'subscribe_all':{},'id':1}",
        u"no known method field"_s);
    row("a method name in the wrong case is refused", "{'Connect':{},'id':1}",
        u"no known method field"_s);
    row("an object of unknown fields is not a pong", "{'foo':1}", u"no known method field"_s);
    row("a missing id is refused", "{'connect':{}}", u"line 1: \"id\" is missing"_s);
    row("id 0 is refused", "{'ping':{},'id':0}", u"\"id\" must be an integer"_s);
    row("a negative id is refused", "{'publish':{},'id':-1}", u"\"id\" must be an integer"_s);
    row("id 2^32 is refused", "{'publish':{},'id':4294967296}", u"\"id\" must be an integer"_s);
    row("a huge id is refused", "{'publish':{},'id':1e30}", u"\"id\" must be an integer"_s);
    row("a fractional id is refused", "{'publish':{},'id':1.5}", u"\"id\" must be an integer"_s);
    row("an id given as a string is refused", "{'publish':{},'id':'1'}",
        u"\"id\" must be a number"_s);
    row("a null id is refused", "{'publish':{},'id':null}", u"\"id\" must be a number"_s);
    row("a boolean id is refused", "{'publish':{},'id':true}", u"\"id\" must be a number"_s);
    row("a method value given as a string is refused", "{'subscribe':'news','id':1}",
        u"line 1: \"subscribe\" must be an object"_s);
    row("a method value given as an array is refused", "{'presence_stats':[],'id':1}",
        u"\"presence_stats\" must be an object"_s);
    row("a null method value is refused", "{'connect':null,'id':1}",
        u"\"connect\" must be an object"_s);
    row("a numeric method value is refused", "{'history':5,'id':1}",
        u"\"history\" must be an object"_s);
    row("a send whose value is not an object is refused", "{'send':'typing'}",
        u"\"send\" must be an object"_s);
    row("a bad second line fails the whole frame", "{'connect':{},'id':1}\n[]", u"line 2:"_s);
    row("line numbers count blank lines", "{}\n\n{'id':1}", u"line 3: no known method field"_s);
    row("an empty frame is refused", "", u"no command"_s);
    row("a frame of blank lines is refused", "\n \n\r\n", u"no command"_s);
}

void tst_CentrifugeCodec::parseFrameRefuses()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, reason);

    const Result<QList<Command>> commands = parseFrame(frame);
    QVERIFY(!commands.isOk());
    QCOMPARE(commands.error().code, DisconnectCode::BadRequest);
    QVERIFY2(commands.error().message.contains(reason), qPrintable(commands.error().message));
}

void tst_CentrifugeCodec::rawJson_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("an object is written compactly")
            << QJsonValue(objectOf(json("{ 'text' : 'hello', 'n' : [1, 2] }")))
            << json("{'n':[1,2],'text':'hello'}");
    QTest::newRow("an array is written compactly")
            << QJsonValue(QJsonArray{1, u"a"_s, true}) << json("[1,'a',true]");
    QTest::newRow("a string keeps its quotes") << QJsonValue(u"typing"_s) << json("'typing'");
    QTest::newRow("a string is escaped")
            << QJsonValue(u"say \"hi\"\n"_s) << QByteArray("\"say \\\"hi\\\"\\n\"");
    QTest::newRow("an integer is a bare number") << QJsonValue(42) << QByteArray("42");
    QTest::newRow("a fraction is a bare number") << QJsonValue(1.5) << QByteArray("1.5");
    QTest::newRow("true is written") << QJsonValue(true) << QByteArray("true");
    QTest::newRow("null is written as null") << QJsonValue(QJsonValue::Null) << QByteArray("null");
    QTest::newRow("an absent value gives no bytes")
            << QJsonValue(QJsonValue::Undefined) << QByteArray();
}

void tst_CentrifugeCodec::rawJson()
{
    QFETCH(QJsonValue, value);
    QFETCH(QByteArray, expected);

    QCOMPARE(Centrifuge::rawJson(value), expected);
}

void tst_CentrifugeCodec::writesShape_data()
{
    QTest::addColumn<QByteArray>("written");
    QTest::addColumn<QByteArray>("expected");
    // Dotted key paths that must be left out.
    QTest::addColumn<QStringList>("absent");

    const auto row = [](const char *name, const QByteArray &written, const char *expected,
                        const QStringList &absent = {}) {
        QTest::newRow(name) << written << json(expected) << absent;
    };

    // Replies of the capture.
    row("the captured connect reply wraps its result",
        Replies::result(
                1, Method::Connect,
                json("{'client':'cid-1','version':'0.1.0','expires':true,'ttl':3,'ping':2,'pong':true,'data':{'motd':'hello from loopback'}}")),
        "{'id':1,'connect':{'client':'cid-1','version':'0.1.0','expires':true,'ttl':3,'ping':2,'pong':true,'data':{'motd':'hello from loopback'}}}");
    row("the captured empty subscribe reply is an object",
        Replies::result(2, Method::Subscribe, "{}"), "{'id':2,'subscribe':{}}");
    row("an empty result given as no bytes is still an object",
        Replies::result(16, Method::Subscribe, QByteArray()), "{'id':16,'subscribe':{}}");
    row("the captured publish reply is empty", Replies::result(4, Method::Publish, "{}"),
        "{'id':4,'publish':{}}");
    row("the captured presence reply embeds client info",
        Replies::result(5, Method::Presence,
                        "{\"presence\":{\"cid-1\":" + clientInfoJson(alice()) + "}}"),
        "{'id':5,'presence':{'presence':{'cid-1':{'user':'42','client':'cid-1','conn_info':{'name':'Alice'}}}}}",
        {u"presence.presence.cid-1.chan_info"_s});
    row("the captured presence_stats reply uses the protocol name",
        Replies::result(6, Method::PresenceStats, json("{'num_clients':1,'num_users':1}")),
        "{'id':6,'presence_stats':{'num_clients':1,'num_users':1}}");
    row("the captured history reply embeds publications",
        Replies::result(7, Method::History,
                        "{\"epoch\":\"xVoZ\",\"offset\":1,\"publications\":["
                                + publicationJson(publication(json("{'text':'hello'}"), 1, alice()))
                                + "]}"),
        "{'id':7,'history':{'epoch':'xVoZ','offset':1,'publications':[{'data':{'text':'hello'},'offset':1,'info':{'user':'42','client':'cid-1','conn_info':{'name':'Alice'}}}]}}");
    row("the captured history reply without publications",
        Replies::result(9, Method::History, json("{'epoch':'xVoZ','offset':1}")),
        "{'id':9,'history':{'epoch':'xVoZ','offset':1}}");
    row("the captured rpc reply",
        Replies::result(11, Method::Rpc, json("{'data':{'echo':{'tz':'UTC'},'method':'getTime'}}")),
        "{'id':11,'rpc':{'data':{'echo':{'tz':'UTC'},'method':'getTime'}}}");
    row("the captured sub_refresh reply uses the protocol name",
        Replies::result(12, Method::SubRefresh, json("{'expires':true,'ttl':600}")),
        "{'id':12,'sub_refresh':{'expires':true,'ttl':600}}");
    row("the captured refresh reply",
        Replies::result(13, Method::Refresh,
                        json("{'client':'cid-1','version':'0.1.0','expires':true,'ttl':600}")),
        "{'id':13,'refresh':{'client':'cid-1','version':'0.1.0','expires':true,'ttl':600}}");
    row("the captured recovered subscribe embeds publications without info",
        Replies::result(15, Method::Subscribe,
                        "{\"recovered\":true,\"publications\":["
                                + publicationJson(publication(json("{'text':'missed 1'}"), 4)) + ","
                                + publicationJson(publication(json("{'text':'missed 2'}"), 5))
                                + "]}"),
        "{'id':15,'subscribe':{'recovered':true,'publications':[{'data':{'text':'missed 1'},'offset':4},{'data':{'text':'missed 2'},'offset':5}]}}");
    row("the captured unsubscribe reply is empty", Replies::result(18, Method::Unsubscribe, "{}"),
        "{'id':18,'unsubscribe':{}}");
    row("the ping reply is named ping", Replies::result(9, Method::Ping, "{}"),
        "{'id':9,'ping':{}}");
    row("the send key is named send", Replies::result(9, Method::Send, "{}"), "{'id':9,'send':{}}");

    // Error replies.
    row("the captured token expired error",
        Replies::error(1, ErrorCode::TokenExpired, u"token expired"_s),
        "{'id':1,'error':{'code':109,'message':'token expired'}}", {u"error.temporary"_s});
    row("the captured permission denied error",
        Replies::error(3, ErrorCode::PermissionDenied, u"permission denied"_s),
        "{'id':3,'error':{'code':103,'message':'permission denied'}}", {u"error.temporary"_s});
    row("a temporary error says so",
        Replies::error(7, ErrorCode::Internal, u"internal server error"_s, true),
        "{'id':7,'error':{'code':100,'message':'internal server error','temporary':true}}");
    row("an error without a message leaves it out", Replies::error(7, ErrorCode::BadRequest, {}),
        "{'id':7,'error':{'code':107}}", {u"error.message"_s});
    row("an error for id 0 leaves the id out",
        Replies::error(0, ErrorCode::BadRequest, u"bad request"_s),
        "{'error':{'code':107,'message':'bad request'}}", {u"id"_s});

    // Pushes of the capture.
    row("the captured publication push carries info",
        Pushes::publication(u"chat:room1"_s, publication(json("{'text':'hello'}"), 1, alice())),
        "{'push':{'channel':'chat:room1','pub':{'data':{'text':'hello'},'offset':1,'info':{'user':'42','client':'cid-1','conn_info':{'name':'Alice'}}}}}",
        {u"push.pub.tags"_s, u"push.pub.info.chan_info"_s});
    row("the captured publication from the API has no info",
        Pushes::publication(u"chat:room1"_s, publication(json("{'text':'from API 1'}"), 2)),
        "{'push':{'channel':'chat:room1','pub':{'data':{'text':'from API 1'},'offset':2}}}",
        {u"push.pub.info"_s, u"push.pub.tags"_s});
    row("the captured publication to a server-side channel",
        Pushes::publication(u"personal:42"_s, publication(json("{'alert':'first'}"), 1)),
        "{'push':{'channel':'personal:42','pub':{'data':{'alert':'first'},'offset':1}}}");
    row("the captured publication with tags writes them as an object",
        Pushes::publication(u"alerts:42"_s, publication(json("{'alert':'x'}"), 1, std::nullopt,
                                                        {{u"kind"_s, u"info"_s}})),
        "{'push':{'channel':'alerts:42','pub':{'data':{'alert':'x'},'offset':1,'tags':{'kind':'info'}}}}");
    row("the captured join push", Pushes::join(u"chat:room1"_s, bob()),
        "{'push':{'channel':'chat:room1','join':{'info':{'user':'43','client':'b0b-client-id','conn_info':{'name':'Bob'}}}}}");
    row("the captured leave push", Pushes::leave(u"chat:room1"_s, bob()),
        "{'push':{'channel':'chat:room1','leave':{'info':{'user':'43','client':'b0b-client-id','conn_info':{'name':'Bob'}}}}}");
    row("the captured final unsubscribe push",
        Pushes::unsubscribe(u"news"_s, 2000, u"server unsubscribe"_s),
        "{'push':{'channel':'news','unsubscribe':{'code':2000,'reason':'server unsubscribe'}}}");
    row("the captured resubscribing unsubscribe push",
        Pushes::unsubscribe(u"chat:room1"_s, 2500, u"insufficient state"_s),
        "{'push':{'channel':'chat:room1','unsubscribe':{'code':2500,'reason':'insufficient state'}}}");
    row("the captured server ping is the empty object", Pushes::ping(), "{}");

    // Omission of empty fields.
    row("offset 0 is left out", Pushes::publication(u"news"_s, publication(json("{'n':1}"), 0)),
        "{'push':{'channel':'news','pub':{'data':{'n':1}}}}",
        {u"push.pub.offset"_s, u"push.pub.info"_s, u"push.pub.tags"_s});
    row("a publication without data leaves data out",
        Pushes::publication(u"news"_s, publication({}, 5)),
        "{'push':{'channel':'news','pub':{'offset':5}}}", {u"push.pub.data"_s});
    row("an empty publication is still an object",
        Pushes::publication(u"news"_s, publication({}, 0)), "{'push':{'channel':'news','pub':{}}}");
    row("a publication with data that is not an object embeds it raw",
        publicationJson(publication(json("'typing'"), 3)), "{'data':'typing','offset':3}");
    row("several tags are all written",
        publicationJson(publication(json("[1]"), 0, std::nullopt,
                                    {{u"kind"_s, u"info"_s}, {u"quote\"d"_s, u"a\nb"_s}})),
        "{\"data\":[1],\"tags\":{\"kind\":\"info\",\"quote\\\"d\":\"a\\nb\"}}");
    row("an anonymous client leaves the user out",
        clientInfoJson(ClientInfo{{}, u"cid-9"_s, {}, {}}), "{'client':'cid-9'}",
        {u"user"_s, u"conn_info"_s, u"chan_info"_s});
    row("channel info is embedded raw",
        clientInfoJson(ClientInfo{u"7"_s, u"cid-7"_s, json("'vip'"), json("{'role':'mod'}")}),
        "{'user':'7','client':'cid-7','conn_info':'vip','chan_info':{'role':'mod'}}");
    row("an empty client info is an empty object", clientInfoJson(ClientInfo{}), "{}");
    row("a publication with empty info still writes info",
        publicationJson(publication(json("1"), 0, ClientInfo{})), "{'data':1,'info':{}}");
    row("an unsubscribe push without a reason leaves it out",
        Pushes::unsubscribe(u"news"_s, 2000, {}),
        "{'push':{'channel':'news','unsubscribe':{'code':2000}}}", {u"push.unsubscribe.reason"_s});
    row("a push without a channel leaves it out", Pushes::join({}, bob()),
        "{'push':{'join':{'info':{'user':'43','client':'b0b-client-id','conn_info':{'name':'Bob'}}}}}",
        {u"push.channel"_s});
}

void tst_CentrifugeCodec::writesShape()
{
    QFETCH(QByteArray, written);
    QFETCH(QByteArray, expected);
    QFETCH(QStringList, absent);

    QCOMPARE(normalised(written), normalised(expected));
    const QJsonObject object = objectOf(written);
    QVERIFY(object == objectOf(expected));
    for (const QString &path : absent) {
        QVERIFY2(!hasPath(object, path), qPrintable(path));
    }
}

void tst_CentrifugeCodec::writtenTextIsCompact()
{
    const QByteArray written =
            Pushes::publication(u"chat:room1"_s, publication(json("{'text':'hello'}"), 1, alice()));

    QCOMPARE(
            written,
            json("{'push':{'channel':'chat:room1','pub':{'data':{'text':'hello'},'offset':1,'info':{'user':'42','client':'cid-1','conn_info':{'name':'Alice'}}}}}"));
}

void tst_CentrifugeCodec::errorMessageIsEscaped()
{
    const QByteArray written = Replies::error(1, ErrorCode::BadRequest, u"line 1:\n\"id\" \\"_s);

    // A raw newline would split the frame into two commands on the client.
    QVERIFY(!written.contains('\n'));
    const QJsonObject error = objectOf(written).value("error"_L1).toObject();
    QCOMPARE(error.value("message"_L1).toString(), u"line 1:\n\"id\" \\"_s);
}

void tst_CentrifugeCodec::offsetIsAnUnsignedNumber()
{
    const QByteArray written =
            publicationJson(publication({}, std::numeric_limits<quint64>::max()));

    QCOMPARE(written, QByteArray("{\"offset\":18446744073709551615}"));
}

void tst_CentrifugeCodec::resultForPongIsAnInternalError()
{
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"centrifuge reply for a command without a method"_s));

    const QByteArray written = Replies::result(3, Method::Pong, "{}");

    QCOMPARE(
            normalised(written),
            normalised(json(
                    "{'id':3,'error':{'code':100,'message':'internal server error','temporary':true}}")));
}

QTEST_GUILESS_MAIN(tst_CentrifugeCodec)
#include "tst_centrifugecodec.moc"
