#include <node/pusher/frames.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Pusher;
using namespace Qt::Literals::StringLiterals;

using Members = QList<Broker::PresenceMember>;

namespace {

// The frame as a JSON object, or an empty object when it is not one.
QJsonObject objectOf(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return {};
    }
    return document.object();
}

QStringList sortedKeys(const QJsonObject &object)
{
    QStringList keys = object.keys();
    keys.sort();
    return keys;
}

Broker::Publication apiPublication(const QByteArray &data)
{
    Broker::Publication publication;
    publication.channel = u"orders"_s;
    publication.event = u"order-shipped"_s;
    publication.data = data;
    return publication;
}

} // namespace

class tst_Frames final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseClientFrameRejects_data();
    void parseClientFrameRejects();
    void parseClientFrameAccepts_data();
    void parseClientFrameAccepts();
    void compactJson_data();
    void compactJson();
    void connectionEstablishedIsExact();
    void doubleEncodedFrames_data();
    void doubleEncodedFrames();
    void objectDataFrames_data();
    void objectDataFrames();
    void cacheMissHasNoData();
    void apiEventKeepsDataAsString_data();
    void apiEventKeepsDataAsString();
    void clientEventEmbedsData();
    void presenceClientEventCarriesUserId();
    void signinSuccessEchoesUserDataVerbatim();
    void presenceData_data();
    void presenceData();
};

void tst_Frames::parseClientFrameRejects_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("text that is not JSON is refused") << "{{{"_ba;
    QTest::newRow("an empty frame is refused") << QByteArray();
    QTest::newRow("a truncated object is refused") << "{\"event\":\"pusher:ping\""_ba;
    QTest::newRow("an object followed by garbage is refused") << "{\"event\":\"x\"} x"_ba;
    QTest::newRow("a JSON array is refused") << "[]"_ba;
    QTest::newRow("a JSON string is refused") << "\"pusher:ping\""_ba;
    QTest::newRow("a JSON number is refused") << "1"_ba;
    QTest::newRow("JSON null is refused") << "null"_ba;
    QTest::newRow("an object without event is refused") << "{\"data\":{}}"_ba;
    QTest::newRow("an empty event name is refused") << "{\"event\":\"\"}"_ba;
    QTest::newRow("a numeric event is refused") << "{\"event\":1}"_ba;
    QTest::newRow("a null event is refused") << "{\"event\":null}"_ba;
    QTest::newRow("an event given as an object is refused") << "{\"event\":{\"a\":1}}"_ba;
    QTest::newRow("a numeric channel is refused")
            << "{\"event\":\"client-x\",\"channel\":123,\"data\":{}}"_ba;
    QTest::newRow("a null channel is refused")
            << "{\"event\":\"client-x\",\"channel\":null,\"data\":{}}"_ba;
    QTest::newRow("a channel given as an object is refused")
            << "{\"event\":\"client-x\",\"channel\":{},\"data\":{}}"_ba;
}

void tst_Frames::parseClientFrameRejects()
{
    QFETCH(QByteArray, text);

    const Result<ClientFrame> frame = parseClientFrame(text);
    QVERIFY(!frame.isOk());
    QVERIFY(!frame.error().message.isEmpty());
}

void tst_Frames::parseClientFrameAccepts_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("event");
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QJsonValue>("data");

    QTest::newRow("a ping with an object is read")
            << "{\"event\":\"pusher:ping\",\"data\":{}}"_ba << u"pusher:ping"_s << QString()
            << QJsonValue(QJsonObject());
    QTest::newRow("a subscribe keeps its channel inside data")
            << "{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"\",\"channel\":\"news\"}}"_ba
            << u"pusher:subscribe"_s << QString()
            << QJsonValue(QJsonObject{{u"auth"_s, u""_s}, {u"channel"_s, u"news"_s}});
    QTest::newRow("a client event carries its channel at the top level")
            << "{\"event\":\"client-typing\",\"data\":{\"t\":1},\"channel\":\"private-probe\"}"_ba
            << u"client-typing"_s << u"private-probe"_s << QJsonValue(QJsonObject{{u"t"_s, 1}});
    QTest::newRow("string data is kept as a string")
            << "{\"event\":\"client-x\",\"channel\":\"private-a\",\"data\":\"{}\"}"_ba
            << u"client-x"_s << u"private-a"_s << QJsonValue(u"{}"_s);
    QTest::newRow("a frame without data reads data as undefined")
            << "{\"event\":\"pusher:ping\"}"_ba << u"pusher:ping"_s << QString()
            << QJsonValue(QJsonValue::Undefined);
    QTest::newRow("unknown members are ignored")
            << "{\"event\":\"pusher:pong\",\"data\":null,\"extra\":[1]}"_ba << u"pusher:pong"_s
            << QString() << QJsonValue(QJsonValue::Null);
    QTest::newRow("a non-ASCII event name is decoded from UTF-8")
            << "{\"event\":\"client-caf\xc3\xa9\",\"channel\":\"private-a\"}"_ba
            << u"client-caf\u00e9"_s << u"private-a"_s << QJsonValue(QJsonValue::Undefined);
}

void tst_Frames::parseClientFrameAccepts()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, event);
    QFETCH(QString, channel);
    QFETCH(QJsonValue, data);

    const Result<ClientFrame> frame = parseClientFrame(text);
    QVERIFY2(frame.isOk(), qPrintable(frame.error().message));
    QCOMPARE(frame->event, event);
    QCOMPARE(frame->channel, channel);
    QCOMPARE(frame->data, data);
}

void tst_Frames::compactJson_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("an object has no spaces")
            << QJsonValue(QJsonObject{{u"name"_s, u"Ada"_s}}) << "{\"name\":\"Ada\"}"_ba;
    QTest::newRow("an array has no spaces") << QJsonValue(QJsonArray{1, u"a"_s}) << "[1,\"a\"]"_ba;
    QTest::newRow("a string keeps its quotes")
            << QJsonValue(u"say \"hi\""_s) << "\"say \\\"hi\\\"\""_ba;
    QTest::newRow("an integer is bare") << QJsonValue(42) << "42"_ba;
    QTest::newRow("true is bare") << QJsonValue(true) << "true"_ba;
    QTest::newRow("null is bare") << QJsonValue(QJsonValue::Null) << "null"_ba;
}

void tst_Frames::compactJson()
{
    QFETCH(QJsonValue, value);
    QFETCH(QByteArray, expected);

    QCOMPARE(Pusher::compactJson(value), expected);
}

void tst_Frames::connectionEstablishedIsExact()
{
    // The handshake as Pusher sends it; pusher-js refuses it without activity_timeout.
    QCOMPARE(Frames::connectionEstablished("123.456"_ba, 120),
             "{\"event\":\"pusher:connection_established\","
             "\"data\":\"{\\\"socket_id\\\":\\\"123.456\\\",\\\"activity_timeout\\\":120}\"}"_ba);
}

void tst_Frames::doubleEncodedFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("event");
    // Empty when the frame must carry no channel member.
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QJsonObject>("data");

    const QString room = u"presence-room"_s;

    QTest::newRow("connection_established holds socket_id and activity_timeout")
            << Frames::connectionEstablished("1.2"_ba, 30) << u"pusher:connection_established"_s
            << QString() << QJsonObject{{u"socket_id"_s, u"1.2"_s}, {u"activity_timeout"_s, 30}};
    QTest::newRow("pong holds an empty object")
            << Frames::pong() << u"pusher:pong"_s << QString() << QJsonObject();
    QTest::newRow("ping holds an empty object")
            << Frames::ping() << u"pusher:ping"_s << QString() << QJsonObject();
    QTest::newRow("subscription_succeeded on a public channel holds an empty object")
            << Frames::subscriptionSucceeded(u"news"_s, "{}"_ba)
            << u"pusher_internal:subscription_succeeded"_s << u"news"_s << QJsonObject();
    QTest::newRow("subscription_succeeded on a presence channel holds the presence block")
            << Frames::subscriptionSucceeded(room, Frames::presenceData(
                                                           {{u"u1"_s, "{\"name\":\"Ada\"}"_ba}}))
            << u"pusher_internal:subscription_succeeded"_s << room
            << QJsonObject{
                       {u"presence"_s,
                        QJsonObject{{u"ids"_s, QJsonArray{u"u1"_s}},
                                    {u"hash"_s,
                                     QJsonObject{{u"u1"_s, QJsonObject{{u"name"_s, u"Ada"_s}}}}},
                                    {u"count"_s, 1}}}};
    QTest::newRow("member_added holds the user id and info")
            << Frames::memberAdded(room, {u"u1"_s, "{\"name\":\"Ada\"}"_ba})
            << u"pusher_internal:member_added"_s << room
            << QJsonObject{{u"user_id"_s, u"u1"_s},
                           {u"user_info"_s, QJsonObject{{u"name"_s, u"Ada"_s}}}};
    QTest::newRow("member_added without info sends null info")
            << Frames::memberAdded(room, {u"10"_s, {}}) << u"pusher_internal:member_added"_s << room
            << QJsonObject{{u"user_id"_s, u"10"_s}, {u"user_info"_s, QJsonValue::Null}};
    QTest::newRow("member_removed holds only the user id")
            << Frames::memberRemoved(room, u"u1"_s) << u"pusher_internal:member_removed"_s << room
            << QJsonObject{{u"user_id"_s, u"u1"_s}};
    QTest::newRow("a user id with quotes survives double encoding")
            << Frames::memberRemoved(room, u"a\"b\\c"_s) << u"pusher_internal:member_removed"_s
            << room << QJsonObject{{u"user_id"_s, u"a\"b\\c"_s}};
    QTest::newRow("subscription_count holds the count")
            << Frames::subscriptionCount(u"news"_s, 7) << u"pusher_internal:subscription_count"_s
            << u"news"_s << QJsonObject{{u"subscription_count"_s, 7}};
    QTest::newRow("signin_success holds user_data as a string")
            << Frames::signinSuccess("{\"id\":\"u1\"}"_ba) << u"pusher:signin_success"_s
            << QString() << QJsonObject{{u"user_data"_s, u"{\"id\":\"u1\"}"_s}};
    QTest::newRow("watchlist_events lists online and offline users")
            << Frames::watchlistEvents({u"u2"_s}, {u"u3"_s, u"u4"_s})
            << u"pusher_internal:watchlist_events"_s << QString()
            << QJsonObject{
                       {u"events"_s,
                        QJsonArray{QJsonObject{{u"name"_s, u"online"_s},
                                               {u"user_ids"_s, QJsonArray{u"u2"_s}}},
                                   QJsonObject{{u"name"_s, u"offline"_s},
                                               {u"user_ids"_s, QJsonArray{u"u3"_s, u"u4"_s}}}}}};
    QTest::newRow("watchlist_events for one user going offline")
            << Frames::watchlistEvents({}, {u"u2"_s}) << u"pusher_internal:watchlist_events"_s
            << QString()
            << QJsonObject{{u"events"_s,
                            QJsonArray{QJsonObject{{u"name"_s, u"offline"_s},
                                                   {u"user_ids"_s, QJsonArray{u"u2"_s}}}}}};
}

void tst_Frames::doubleEncodedFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, event);
    QFETCH(QString, channel);
    QFETCH(QJsonObject, data);

    const QJsonObject object = objectOf(frame);
    QVERIFY2(!object.isEmpty(), frame.constData());
    QStringList expectedKeys{u"data"_s, u"event"_s};
    if (!channel.isEmpty()) {
        expectedKeys.append(u"channel"_s);
    }
    expectedKeys.sort();
    QCOMPARE(sortedKeys(object), expectedKeys);
    QCOMPARE(object.value("event"_L1).toString(), event);
    QCOMPARE(object.value("channel"_L1).toString(), channel);

    const QJsonValue encoded = object.value("data"_L1);
    QVERIFY2(encoded.isString(), "data must be a JSON string holding an object");
    const QJsonObject inner = objectOf(encoded.toString().toUtf8());
    QCOMPARE(inner, data);
}

void tst_Frames::objectDataFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("event");
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QJsonObject>("data");

    QTest::newRow("pusher:error with a code")
            << Frames::error(4001, u"App key nope does not exist"_s) << u"pusher:error"_s
            << QString()
            << QJsonObject{{u"code"_s, 4001}, {u"message"_s, u"App key nope does not exist"_s}};
    QTest::newRow("pusher:error for a channel problem has a null code")
            << Frames::error(std::nullopt, u"Cannot broadcast client event"_s) << u"pusher:error"_s
            << QString()
            << QJsonObject{{u"code"_s, QJsonValue::Null},
                           {u"message"_s, u"Cannot broadcast client event"_s}};
    QTest::newRow("pusher:error escapes its message")
            << Frames::error(4009, u"bad \"auth\"\n\u00e9"_s) << u"pusher:error"_s << QString()
            << QJsonObject{{u"code"_s, 4009}, {u"message"_s, u"bad \"auth\"\n\u00e9"_s}};
    QTest::newRow("subscription_error names the channel and holds type, error and status")
            << Frames::subscriptionError(u"private-x"_s, u"AuthError"_s, u"Invalid signature"_s,
                                         401)
            << u"pusher:subscription_error"_s << u"private-x"_s
            << QJsonObject{{u"type"_s, u"AuthError"_s},
                           {u"error"_s, u"Invalid signature"_s},
                           {u"status"_s, 401}};
}

void tst_Frames::objectDataFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, event);
    QFETCH(QString, channel);
    QFETCH(QJsonObject, data);

    const QJsonObject object = objectOf(frame);
    QVERIFY2(!object.isEmpty(), frame.constData());
    QCOMPARE(object.value("event"_L1).toString(), event);
    QCOMPARE(object.contains("channel"_L1), !channel.isEmpty());
    QCOMPARE(object.value("channel"_L1).toString(), channel);
    QVERIFY2(object.value("data"_L1).isObject(), "data must be a JSON object");
    QCOMPARE(object.value("data"_L1).toObject(), data);
}

void tst_Frames::cacheMissHasNoData()
{
    const QJsonObject object = objectOf(Frames::cacheMiss(u"cache-news"_s));
    const QJsonObject expected{{u"event"_s, u"pusher:cache_miss"_s},
                               {u"channel"_s, u"cache-news"_s}};
    QCOMPARE(object, expected);
}

void tst_Frames::apiEventKeepsDataAsString_data()
{
    QTest::addColumn<QByteArray>("data");

    QTest::newRow("JSON text stays a string") << "{\"hello\":\"world\"}"_ba;
    QTest::newRow("plain text stays a string") << "just text"_ba;
    QTest::newRow("an empty string stays a string") << QByteArray();
    QTest::newRow("quotes, backslashes and control characters survive") << "a\"b\\c\nd\te\x01"_ba;
    QTest::newRow("UTF-8 text survives byte for byte") << "caf\xc3\xa9 \xf0\x9f\x9a\x80"_ba;
}

void tst_Frames::apiEventKeepsDataAsString()
{
    QFETCH(QByteArray, data);

    const QJsonObject object = objectOf(Frames::event(apiPublication(data)));
    QCOMPARE(sortedKeys(object), (QStringList{u"channel"_s, u"data"_s, u"event"_s}));
    QCOMPARE(object.value("event"_L1).toString(), u"order-shipped"_s);
    QCOMPARE(object.value("channel"_L1).toString(), u"orders"_s);
    QVERIFY(object.value("data"_L1).isString());
    QCOMPARE(object.value("data"_L1).toString().toUtf8(), data);
}

void tst_Frames::clientEventEmbedsData()
{
    Broker::Publication publication;
    publication.channel = u"private-probe"_s;
    publication.event = u"client-typing"_s;
    publication.data = "{\"t\":1}"_ba;
    publication.dataIsJson = true;
    publication.origin = Broker::Origin::Client;

    const QJsonObject object = objectOf(Frames::event(publication));
    const QJsonObject expected{{u"event"_s, u"client-typing"_s},
                               {u"channel"_s, u"private-probe"_s},
                               {u"data"_s, QJsonObject{{u"t"_s, 1}}}};
    QCOMPARE(object, expected);
}

void tst_Frames::presenceClientEventCarriesUserId()
{
    Broker::Publication publication;
    publication.channel = u"presence-room"_s;
    publication.event = u"client-typing"_s;
    publication.data = "\"hi\""_ba;
    publication.dataIsJson = true;
    publication.origin = Broker::Origin::Client;
    publication.userId = u"u1"_s;

    const QJsonObject object = objectOf(Frames::event(publication));
    const QJsonObject expected{{u"event"_s, u"client-typing"_s},
                               {u"channel"_s, u"presence-room"_s},
                               {u"data"_s, u"hi"_s},
                               {u"user_id"_s, u"u1"_s}};
    QCOMPARE(object, expected);
}

void tst_Frames::signinSuccessEchoesUserDataVerbatim()
{
    // The client compares user_data with what its auth endpoint gave it; no re-serialising.
    const QByteArray userData = "{ \"id\" : \"u1\", \"user_info\":{\"name\":\"Ada\"} }"_ba;
    const QJsonObject object = objectOf(Frames::signinSuccess(userData));
    const QJsonObject inner = objectOf(object.value("data"_L1).toString().toUtf8());
    QCOMPARE(inner.value("user_data"_L1).toString().toUtf8(), userData);
}

void tst_Frames::presenceData_data()
{
    QTest::addColumn<Members>("members");
    QTest::addColumn<QJsonObject>("presence");

    QTest::newRow("no members give empty ids and hash")
            << Members{}
            << QJsonObject{{u"ids"_s, QJsonArray{}}, {u"hash"_s, QJsonObject{}}, {u"count"_s, 0}};
    QTest::newRow("two members are listed in order with their info")
            << Members{{u"u1"_s, "{\"name\":\"Ada\"}"_ba}, {u"10"_s, "[1,2]"_ba}}
            << QJsonObject{{u"ids"_s, QJsonArray{u"u1"_s, u"10"_s}},
                           {u"hash"_s, QJsonObject{{u"u1"_s, QJsonObject{{u"name"_s, u"Ada"_s}}},
                                                   {u"10"_s, QJsonArray{1, 2}}}},
                           {u"count"_s, 2}};
    QTest::newRow("a member without info maps to null")
            << Members{{u"u1"_s, {}}}
            << QJsonObject{{u"ids"_s, QJsonArray{u"u1"_s}},
                           {u"hash"_s, QJsonObject{{u"u1"_s, QJsonValue::Null}}},
                           {u"count"_s, 1}};
    QTest::newRow("an id needing escapes is escaped in ids and hash")
            << Members{{u"a\"b"_s, "\"x\""_ba}}
            << QJsonObject{{u"ids"_s, QJsonArray{u"a\"b"_s}},
                           {u"hash"_s, QJsonObject{{u"a\"b"_s, u"x"_s}}},
                           {u"count"_s, 1}};
}

void tst_Frames::presenceData()
{
    QFETCH(Members, members);
    QFETCH(QJsonObject, presence);

    const QJsonObject object = objectOf(Frames::presenceData(members));
    QCOMPARE(sortedKeys(object), QStringList{u"presence"_s});
    const QJsonObject block = object.value("presence"_L1).toObject();
    QCOMPARE(block, presence);
    QCOMPARE(block.value("count"_L1).toInt(), block.value("ids"_L1).toArray().size());
    QCOMPARE(block.value("hash"_L1).toObject().size(), block.value("count"_L1).toInt());
}

QTEST_GUILESS_MAIN(tst_Frames)
#include "tst_frames.moc"
