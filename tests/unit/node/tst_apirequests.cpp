#include <node/pusher/apirequests.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Pusher;
using namespace Qt::Literals::StringLiterals;

namespace {

// The defaults of a new app: 10 KB of data, 100 channels, 200-character names, 10 per batch.
Config::AppSettings defaultApp()
{
    Config::AppSettings app;
    app.id = u"42"_s;
    app.key = "probe-key"_ba;
    app.secret = "probe-secret"_ba;
    return app;
}

QJsonObject trigger(const QJsonValue &channels, const QString &data = u"{\"id\":7}"_s)
{
    QJsonObject object{{u"name"_s, u"order-shipped"_s}, {u"data"_s, data}};
    if (channels.isArray()) {
        object.insert(u"channels"_s, channels);
    } else {
        object.insert(u"channel"_s, channels);
    }
    return object;
}

QJsonObject with(QJsonObject object, const QString &key, const QJsonValue &value)
{
    if (value.isUndefined()) {
        object.remove(key);
    } else {
        object.insert(key, value);
    }
    return object;
}

QByteArray body(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonArray channelNames(int count)
{
    QJsonArray names;
    for (int i = 0; i < count; ++i) {
        names.append(u"channel-%1"_s.arg(i));
    }
    return names;
}

QByteArray batchOf(const QJsonArray &items)
{
    return body(QJsonObject{{u"batch"_s, items}});
}

QJsonArray goodBatchItems(int count)
{
    QJsonArray items;
    for (int i = 0; i < count; ++i) {
        items.append(trigger(u"channel-%1"_s.arg(i)));
    }
    return items;
}

} // namespace

class tst_ApiRequests final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseInfo_data();
    void parseInfo();
    void triggerRefused_data();
    void triggerRefused();
    void triggerAccepted_data();
    void triggerAccepted();
    void triggerReadsEveryField();
    void triggerDataLimitIsInUtf8Bytes();
    void batchRefused_data();
    void batchRefused();
    void batchAccepted();
};

void tst_ApiRequests::parseInfo_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("userCount");
    QTest::addColumn<bool>("subscriptionCount");
    QTest::addColumn<bool>("cache");

    QTest::newRow("no info asks for nothing") << QByteArray() << true << false << false << false;
    QTest::newRow("user_count alone") << "user_count"_ba << true << true << false << false;
    QTest::newRow("subscription_count alone")
            << "subscription_count"_ba << true << false << true << false;
    QTest::newRow("cache alone") << "cache"_ba << true << false << false << true;
    QTest::newRow("a comma-separated list sets each attribute")
            << "user_count,subscription_count,cache"_ba << true << true << true << true;
    QTest::newRow("spaces around names are ignored")
            << " user_count , cache "_ba << true << true << false << true;
    QTest::newRow("empty entries are ignored")
            << "user_count,,"_ba << true << true << false << false;
    QTest::newRow("an unknown attribute is refused")
            << "members"_ba << false << false << false << false;
    QTest::newRow("an unknown attribute after a known one is refused")
            << "user_count,bogus"_ba << false << false << false << false;
}

void tst_ApiRequests::parseInfo()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    QFETCH(bool, userCount);
    QFETCH(bool, subscriptionCount);
    QFETCH(bool, cache);

    const Result<InfoRequest> info = Pusher::parseInfo(text);
    QCOMPARE(info.isOk(), valid);
    if (!valid) {
        QCOMPARE(info.error().code, 400);
        return;
    }
    QCOMPARE(info->userCount, userCount);
    QCOMPARE(info->subscriptionCount, subscriptionCount);
    QCOMPARE(info->cache, cache);
    QCOMPARE(info->any(), userCount || subscriptionCount || cache);
}

void tst_ApiRequests::triggerRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");

    const QJsonObject good = trigger(QJsonArray{u"orders"_s});

    QTest::newRow("a body that is not JSON is refused") << "{name:"_ba << 400;
    QTest::newRow("an empty body is refused") << QByteArray() << 400;
    QTest::newRow("a JSON array body is refused") << "[]"_ba << 400;
    QTest::newRow("a missing name is refused")
            << body(with(good, u"name"_s, QJsonValue::Undefined)) << 400;
    QTest::newRow("a numeric name is refused") << body(with(good, u"name"_s, 5)) << 400;
    QTest::newRow("an empty name is refused") << body(with(good, u"name"_s, u""_s)) << 400;
    QTest::newRow("a 201-character name is refused")
            << body(with(good, u"name"_s, QString(201, u'n'))) << 400;
    QTest::newRow("missing data is refused")
            << body(with(good, u"data"_s, QJsonValue::Undefined)) << 400;
    QTest::newRow("data given as an object is refused")
            << body(with(good, u"data"_s, QJsonObject{{u"id"_s, 7}})) << 400;
    QTest::newRow("data given as a number is refused") << body(with(good, u"data"_s, 7)) << 400;
    QTest::newRow("data of 10241 bytes is too large")
            << body(with(good, u"data"_s, QString(10241, u'd'))) << 413;
    QTest::newRow("neither channels nor channel is refused")
            << body(with(good, u"channels"_s, QJsonValue::Undefined)) << 400;
    QTest::newRow("an empty channels array is refused")
            << body(with(good, u"channels"_s, QJsonArray{})) << 400;
    QTest::newRow("a channels entry that is not a string is refused")
            << body(with(good, u"channels"_s, QJsonArray{u"orders"_s, 5})) << 400;
    QTest::newRow("101 channels are refused")
            << body(with(good, u"channels"_s, channelNames(101))) << 400;
    QTest::newRow("channels given as one string is refused")
            << body(with(good, u"channels"_s, u"orders"_s)) << 400;
    QTest::newRow("a numeric channel is refused") << body(trigger(QJsonValue(5))) << 400;
    QTest::newRow("an illegal channel name is refused")
            << body(trigger(QJsonArray{u"orders"_s, u"bad:name"_s})) << 400;
    QTest::newRow("an illegal single channel is refused") << body(trigger(u"bad name"_s)) << 400;
    QTest::newRow("a 201-character channel name is refused")
            << body(trigger(QJsonArray{QString(201, u'c')})) << 400;
    QTest::newRow("an encrypted channel with another channel is refused")
            << body(trigger(QJsonArray{u"private-encrypted-room"_s, u"orders"_s})) << 400;
    QTest::newRow("another channel before an encrypted one is refused")
            << body(trigger(QJsonArray{u"orders"_s, u"private-encrypted-room"_s})) << 400;
    QTest::newRow("two encrypted channels are refused")
            << body(trigger(QJsonArray{u"private-encrypted-a"_s, u"private-encrypted-b"_s})) << 400;
    QTest::newRow("a socket_id without a dot is refused")
            << body(with(good, u"socket_id"_s, u"123"_s)) << 400;
    QTest::newRow("a socket_id with letters is refused")
            << body(with(good, u"socket_id"_s, u"abc.def"_s)) << 400;
    QTest::newRow("a socket_id with three parts is refused")
            << body(with(good, u"socket_id"_s, u"1.2.3"_s)) << 400;
    QTest::newRow("a socket_id with an empty half is refused")
            << body(with(good, u"socket_id"_s, u"123."_s)) << 400;
    QTest::newRow("a negative socket_id is refused")
            << body(with(good, u"socket_id"_s, u"-1.2"_s)) << 400;
    QTest::newRow("a socket_id with a leading space is refused")
            << body(with(good, u"socket_id"_s, u" 123.456"_s)) << 400;
    QTest::newRow("a socket_id with a trailing newline is refused")
            << body(with(good, u"socket_id"_s, u"123.456\n"_s)) << 400;
    QTest::newRow("an empty socket_id is refused")
            << body(with(good, u"socket_id"_s, u""_s)) << 400;
    QTest::newRow("a numeric socket_id is refused")
            << body(with(good, u"socket_id"_s, 123.456)) << 400;
    QTest::newRow("an unknown info attribute is refused")
            << body(with(good, u"info"_s, u"user_count,members"_s)) << 400;
}

void tst_ApiRequests::triggerRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);

    const Result<TriggerItem> item = parseTrigger(body, defaultApp());
    QVERIFY(!item.isOk());
    QCOMPARE(item.error().code, status);
    QVERIFY(!item.error().message.isEmpty());
}

void tst_ApiRequests::triggerAccepted_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("channels");

    const QJsonObject good = trigger(QJsonArray{u"orders"_s});
    QStringList hundred;
    for (const QJsonValue &name : channelNames(100)) {
        hundred.append(name.toString());
    }

    QTest::newRow("a channels array is read") << body(good) << QStringList{u"orders"_s};
    QTest::newRow("a single channel string is read")
            << body(trigger(u"orders"_s)) << QStringList{u"orders"_s};
    QTest::newRow("100 channels are accepted")
            << body(with(good, u"channels"_s, channelNames(100))) << hundred;
    QTest::newRow("legal punctuation in a channel is accepted")
            << body(trigger(QJsonArray{u"x;y"_s, u"a_-=@,.;b"_s}))
            << QStringList{u"x;y"_s, u"a_-=@,.;b"_s};
    QTest::newRow("an encrypted channel alone in channels is accepted")
            << body(trigger(QJsonArray{u"private-encrypted-room"_s}))
            << QStringList{u"private-encrypted-room"_s};
    QTest::newRow("an encrypted channel given as channel is accepted")
            << body(trigger(u"private-encrypted-room"_s))
            << QStringList{u"private-encrypted-room"_s};
    QTest::newRow("a server-to-user channel from sendToUser is accepted")
            << body(trigger(QJsonArray{u"#server-to-user-u1"_s}))
            << QStringList{u"#server-to-user-u1"_s};
    QTest::newRow("a 200-character event name is accepted")
            << body(with(good, u"name"_s, QString(200, u'n'))) << QStringList{u"orders"_s};
    QTest::newRow("a backslashed event name is accepted")
            << body(with(good, u"name"_s, u"App\\Events\\OrderShipped"_s))
            << QStringList{u"orders"_s};
    QTest::newRow("empty data is accepted")
            << body(with(good, u"data"_s, u""_s)) << QStringList{u"orders"_s};
    QTest::newRow("data of exactly 10240 bytes is accepted")
            << body(with(good, u"data"_s, QString(10240, u'd'))) << QStringList{u"orders"_s};
    QTest::newRow("a null socket_id counts as absent")
            << body(with(good, u"socket_id"_s, QJsonValue::Null)) << QStringList{u"orders"_s};
}

void tst_ApiRequests::triggerAccepted()
{
    QFETCH(QByteArray, body);
    QFETCH(QStringList, channels);

    const Result<TriggerItem> item = parseTrigger(body, defaultApp());
    QVERIFY2(item.isOk(), qPrintable(item.error().message));
    QCOMPARE(item->channels, channels);
}

void tst_ApiRequests::triggerReadsEveryField()
{
    // The body pusher-http-node sends for trigger(..., {socket_id, info}).
    const QByteArray text =
            "{\"name\":\"my-event\",\"data\":\"{\\\"hello\\\":\\\"world\\\"}\","
            "\"channels\":[\"presence-a\",\"b\"],\"socket_id\":\"100001.963820857\","
            "\"info\":\"user_count,subscription_count\"}"_ba;
    const Result<TriggerItem> item = parseTrigger(text, defaultApp());
    QVERIFY2(item.isOk(), qPrintable(item.error().message));
    QCOMPARE(item->name, u"my-event"_s);
    QCOMPARE(item->data, "{\"hello\":\"world\"}"_ba);
    QCOMPARE(item->channels, (QStringList{u"presence-a"_s, u"b"_s}));
    QCOMPARE(item->excludeSocketId, "100001.963820857"_ba);
    QVERIFY(item->info.userCount);
    QVERIFY(item->info.subscriptionCount);
    QVERIFY(!item->info.cache);

    const Result<TriggerItem> bare = parseTrigger(body(trigger(u"orders"_s)), defaultApp());
    QVERIFY(bare.isOk());
    QCOMPARE(bare->excludeSocketId, QByteArray());
    QVERIFY(!bare->info.any());
}

void tst_ApiRequests::triggerDataLimitIsInUtf8Bytes()
{
    // 5120 two-byte characters are 10240 bytes; one more is over the limit in bytes although
    // it is only 5121 characters.
    const QString atLimit(5120, u'\u00e9');
    const Result<TriggerItem> fits =
            parseTrigger(body(trigger(u"orders"_s, atLimit)), defaultApp());
    QVERIFY2(fits.isOk(), qPrintable(fits.error().message));
    QCOMPARE(fits->data.size(), 10240);
    QCOMPARE(QString::fromUtf8(fits->data), atLimit);

    const QString overLimit(5121, u'\u00e9');
    const Result<TriggerItem> tooLarge =
            parseTrigger(body(trigger(u"orders"_s, overLimit)), defaultApp());
    QVERIFY(!tooLarge.isOk());
    QCOMPARE(tooLarge.error().code, 413);

    Config::AppSettings small = defaultApp();
    small.maxEventPayloadBytes = 4;
    QVERIFY(parseTrigger(body(trigger(u"orders"_s, u"1234"_s)), small).isOk());
    QCOMPARE(parseTrigger(body(trigger(u"orders"_s, u"12345"_s)), small).error().code, 413);
}

void tst_ApiRequests::batchRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");

    QJsonArray secondBad = goodBatchItems(3);
    secondBad[1] = with(secondBad[1].toObject(), u"name"_s, u""_s);
    QJsonArray lastTooLarge = goodBatchItems(3);
    lastTooLarge[2] = with(lastTooLarge[2].toObject(), u"data"_s, QString(10241, u'd'));
    QJsonArray badSocket = goodBatchItems(2);
    badSocket[0] = with(badSocket[0].toObject(), u"socket_id"_s, u"x"_s);

    QTest::newRow("a body that is not JSON is refused") << "{\"batch\":["_ba << 400;
    QTest::newRow("a body without batch is refused") << body(trigger(u"orders"_s)) << 400;
    QTest::newRow("batch given as an object is refused")
            << body(QJsonObject{{u"batch"_s, trigger(u"orders"_s)}}) << 400;
    QTest::newRow("an empty batch is refused") << batchOf(QJsonArray{}) << 400;
    QTest::newRow("11 events are refused") << batchOf(goodBatchItems(11)) << 400;
    QTest::newRow("an event that is not an object is refused")
            << batchOf(QJsonArray{trigger(u"orders"_s), u"event"_s}) << 400;
    QTest::newRow("an event with a channels array is refused")
            << batchOf(QJsonArray{trigger(QJsonArray{u"orders"_s})}) << 400;
    QTest::newRow("an event with both channel and channels is refused") << batchOf(
            QJsonArray{with(trigger(u"orders"_s), u"channels"_s, QJsonArray{u"orders"_s})})
                                                                        << 400;
    QTest::newRow("an event without a channel is refused")
            << batchOf(QJsonArray{with(trigger(u"orders"_s), u"channel"_s, QJsonValue::Undefined)})
            << 400;
    QTest::newRow("one bad event among good ones fails the whole batch")
            << batchOf(secondBad) << 400;
    QTest::newRow("one oversized event fails the whole batch with 413")
            << batchOf(lastTooLarge) << 413;
    QTest::newRow("a bad socket_id fails the whole batch") << batchOf(badSocket) << 400;
    QTest::newRow("an illegal channel name fails the whole batch")
            << batchOf(QJsonArray{trigger(u"orders"_s), trigger(u"bad:name"_s)}) << 400;
}

void tst_ApiRequests::batchRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);

    const Result<QList<TriggerItem>> items = parseBatch(body, defaultApp());
    QVERIFY(!items.isOk());
    QCOMPARE(items.error().code, status);
    QVERIFY(!items.error().message.isEmpty());
}

void tst_ApiRequests::batchAccepted()
{
    QJsonArray items = goodBatchItems(10);
    items[3] = with(items[3].toObject(), u"socket_id"_s, u"1.2"_s);
    items[4] = with(items[4].toObject(), u"info"_s, u"subscription_count"_s);
    items[5] = trigger(u"private-encrypted-room"_s);

    const Result<QList<TriggerItem>> parsed = parseBatch(batchOf(items), defaultApp());
    QVERIFY2(parsed.isOk(), qPrintable(parsed.error().message));
    QCOMPARE(parsed->size(), 10);
    QCOMPARE(parsed->at(0).channels, QStringList{u"channel-0"_s});
    QCOMPARE(parsed->at(9).channels, QStringList{u"channel-9"_s});
    QCOMPARE(parsed->at(3).excludeSocketId, "1.2"_ba);
    QVERIFY(parsed->at(4).info.subscriptionCount);
    QCOMPARE(parsed->at(5).channels, QStringList{u"private-encrypted-room"_s});
    QCOMPARE(parsed->at(0).data, "{\"id\":7}"_ba);
}

QTEST_GUILESS_MAIN(tst_ApiRequests)
#include "tst_apirequests.moc"
