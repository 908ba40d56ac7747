// The admin channel's pure parts: request parsing, keys and their matching, the login limit,
// keyed deltas, node statuses as peers send them, the cluster views and the paged lists.

#include <node/admin/adminerrors.h>
#include <node/admin/adminkeys.h>
#include <node/admin/adminrequest.h>
#include <node/admin/clusterview.h>
#include <node/admin/listings.h>
#include <node/admin/loginlimiter.h>
#include <node/admin/nodestatus.h>
#include <node/admin/streamview.h>
#include <node/observability/nodemetrics.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Admin;
using namespace Qt::Literals::StringLiterals;

class tst_AdminParts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestsParse_data();
    void requestsParse();
    void keysAreMadeOnceAndKept();
    void damagedKeysFileIsAnError();
    void keyringMatchesOnlyWholeKeys();
    void loginLimitLocksAnAddressForTheWindow();
    void deltasNameChangedAndRemovedItems();
    void streamDeltasCarryFieldsOnlyWhenTheyChange();
    void nodeStatusRoundTrip();
    void hostileNodeStatusesAreRefused_data();
    void hostileNodeStatusesAreRefused();
    void linksAreListedOnceWithAMeasuredRoundTrip();
    void trafficAndRatesAddUpOverNodes();
    void listQueriesAreChecked_data();
    void listQueriesAreChecked();
    void channelPagesSortFilterAndPage();
    void utf8LengthCountsEncodedBytes();
};

void tst_AdminParts::requestsParse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QJsonValue>("id");
    QTest::addColumn<QString>("message");

    QTest::newRow("a request") << R"({"id":7,"method":"subscribe","params":{"stream":"x"}})"_ba
                               << true << QJsonValue(7) << QString();
    QTest::newRow("params left out")
            << R"({"id":1,"method":"drain"})"_ba << true << QJsonValue(1) << QString();
    QTest::newRow("not JSON") << "{oops"_ba << false << QJsonValue(QJsonValue::Null)
                              << u"not JSON: "_s;
    QTest::newRow("an array") << "[1]"_ba << false << QJsonValue(QJsonValue::Null)
                              << u"a request must be a JSON object"_s;
    QTest::newRow("no id") << R"({"method":"x"})"_ba << false << QJsonValue(QJsonValue::Null)
                           << u"\"id\" must be a positive integer"_s;
    QTest::newRow("a fractional id") << R"({"id":1.5,"method":"x"})"_ba << false
                                     << QJsonValue(QJsonValue::Null) << u"\"id\""_s;
    QTest::newRow("an id past 2^53") << R"({"id":9007199254740993,"method":"x"})"_ba << false
                                     << QJsonValue(QJsonValue::Null) << u"\"id\""_s;
    QTest::newRow("params that are a list")
            << R"({"id":3,"method":"x","params":[]})"_ba << false << QJsonValue(3)
            << u"\"method\" must be a string and \"params\" an object"_s;
    QTest::newRow("a method that is a number")
            << R"({"id":4,"method":4})"_ba << false << QJsonValue(4) << u"\"method\""_s;
}

void tst_AdminParts::requestsParse()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, ok);
    QFETCH(QJsonValue, id);
    QFETCH(QString, message);
    const auto parsed = parseAdminRequest(text);
    QCOMPARE(std::holds_alternative<AdminRequest>(parsed), ok);
    if (ok) {
        QCOMPARE(std::get<AdminRequest>(parsed).id, id);
        return;
    }
    const RequestError &error = std::get<RequestError>(parsed);
    QCOMPARE(error.id, id);
    QCOMPARE(errorName(error.error.code), u"bad_request"_s);
    QVERIFY2(error.error.message.contains(message), qPrintable(error.error.message));
}

void tst_AdminParts::keysAreMadeOnceAndKept()
{
    QTemporaryDir dir;
    const Result<StoredAdminKeys> first = loadOrCreateAdminKeys(dir.path());
    QVERIFY2(first, qPrintable(first.error().message));
    QVERIFY(first->freshlyGenerated);
    QCOMPARE(first->keys.size(), 2);
    QCOMPARE(first->keys.at(0).role, Config::AdminRole::Admin);
    QCOMPARE(first->keys.at(1).role, Config::AdminRole::ReadOnly);
    QVERIFY(first->keys.at(0).key.startsWith("dna_"));
    QVERIFY(first->keys.at(1).key.startsWith("dnr_"));
    QCOMPARE(first->keys.at(0).key.size(), 4 + 48);
    QCOMPARE(QFile::permissions(first->filePath),
             QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser);

    const Result<StoredAdminKeys> second = loadOrCreateAdminKeys(dir.path());
    QVERIFY2(second, qPrintable(second.error().message));
    QVERIFY(!second->freshlyGenerated);
    QCOMPARE(second->keys.at(0).key, first->keys.at(0).key);
    QCOMPARE(second->keys.at(1).key, first->keys.at(1).key);
}

void tst_AdminParts::damagedKeysFileIsAnError()
{
    QTemporaryDir dir;
    QFile file(dir.filePath(AdminKeysFileName));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"keys": [{"name": "admin", "role": "owner", "key": "x"}]})");
    file.close();
    const Result<StoredAdminKeys> loaded = loadOrCreateAdminKeys(dir.path());
    QVERIFY(!loaded);
    QVERIFY2(loaded.error().message.contains(u"is damaged"_s), qPrintable(loaded.error().message));
}

void tst_AdminParts::keyringMatchesOnlyWholeKeys()
{
    const AdminKeyring keyring({{u"admin"_s, Config::AdminRole::Admin, "dna_secret-one"_ba},
                                {u"viewer"_s, Config::AdminRole::ReadOnly, "dnr_secret-two"_ba}});
    QCOMPARE(keyring.match("dna_secret-one"_ba)->name, u"admin"_s);
    QCOMPARE(keyring.match("dnr_secret-two"_ba)->role, Config::AdminRole::ReadOnly);
    QVERIFY(!keyring.match("dna_secret-on"_ba));
    QVERIFY(!keyring.match("dna_secret-one "_ba));
    QVERIFY(!keyring.match(QByteArray()));
}

void tst_AdminParts::loginLimitLocksAnAddressForTheWindow()
{
    LoginLimiter limiter;
    const QString address = u"192.0.2.7"_s;
    for (int i = 0; i < LoginLimiter::MaxFailures - 1; ++i) {
        limiter.recordFailure(address, 1000 + i);
    }
    QCOMPARE(limiter.retryAfterMs(address, 2000), 0);
    limiter.recordFailure(address, 2000);
    QCOMPARE(limiter.retryAfterMs(address, 2000), LoginLimiter::WindowMs - 1000);
    QCOMPARE(limiter.retryAfterMs(u"192.0.2.8"_s, 2000), 0);
    QCOMPARE(limiter.retryAfterMs(address, 1000 + LoginLimiter::WindowMs), 0);
    // A failure after the window starts a new one.
    limiter.recordFailure(address, 1000 + LoginLimiter::WindowMs);
    QCOMPARE(limiter.retryAfterMs(address, 1000 + LoginLimiter::WindowMs), 0);
}

void tst_AdminParts::deltasNameChangedAndRemovedItems()
{
    const KeyedItems before =
            keyedItems({{{"key"_L1, u"a"_s}, {"n"_L1, 1}}, {{"key"_L1, u"b"_s}, {"n"_L1, 2}}});
    const KeyedItems after = keyedItems({{{"key"_L1, u"a"_s}, {"n"_L1, 1}},
                                         {{"key"_L1, u"b"_s}, {"n"_L1, 3}},
                                         {{"key"_L1, u"c"_s}, {"n"_L1, 4}}});
    const QJsonObject delta = keyedDelta(before, after);
    QCOMPARE(delta.value("upsert"_L1).toArray().size(), 2);
    QCOMPARE(delta.value("upsert"_L1).toArray().at(0).toObject().value("n"_L1).toInt(), 3);
    QCOMPARE(delta.value("upsert"_L1).toArray().at(1).toObject().value("key"_L1).toString(),
             u"c"_s);
    QCOMPARE(delta.value("remove"_L1).toArray(), QJsonArray());
    const QJsonObject removal = keyedDelta(after, before);
    QCOMPARE(removal.value("remove"_L1).toArray(), QJsonArray{u"c"_s});
    QVERIFY(keyedDelta(after, after).isEmpty());
}

void tst_AdminParts::streamDeltasCarryFieldsOnlyWhenTheyChange()
{
    StreamView before;
    before.collections.insert(u"channels"_s, keyedItems({{{"key"_L1, u"x"_s}}}));
    before.fields.insert("total"_L1, 1);
    StreamView same = before;
    QVERIFY(deltaData(before, same, false).isEmpty());
    QCOMPARE(deltaData(before, same, true), QJsonObject({{"total"_L1, 1}}));
    StreamView grown = before;
    grown.fields.insert("total"_L1, 2);
    QCOMPARE(deltaData(before, grown, false), QJsonObject({{"total"_L1, 2}}));
    const QJsonObject snapshot = snapshotData(before);
    QCOMPARE(snapshot.value("channels"_L1).toArray().size(), 1);
    QCOMPARE(snapshot.value("total"_L1).toInt(), 1);
}

void tst_AdminParts::nodeStatusRoundTrip()
{
    NodeStatus status;
    status.id = u"n1"_s;
    status.version = u"0.1.0"_s;
    status.startedMs = 1'796'000'000'000;
    status.draining = true;
    status.traffic = {3, 10, 30, 1500, 4200};
    status.links = {{u"n2"_s, 120}, {u"n3"_s, -1}};
    status.channels = {{u"1"_s, u"news"_s, 5}};
    const std::optional<NodeStatus> decoded = decodeNodeStatus(encodeNodeStatus(status));
    QVERIFY(decoded);
    QCOMPARE(decoded->id, status.id);
    QCOMPARE(decoded->startedMs, status.startedMs);
    QCOMPARE(decoded->draining, true);
    QCOMPARE(decoded->traffic.bytesOut, 4200);
    QCOMPARE(decoded->links.size(), 2);
    QCOMPARE(decoded->links.at(1).roundTripUs, -1);
    QCOMPARE(decoded->channels.at(0).channel, u"news"_s);
    QCOMPARE(decoded->channels.at(0).perSecond, 5);
}

void tst_AdminParts::hostileNodeStatusesAreRefused_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("not JSON") << "\xff\x00"_ba;
    QTest::newRow("no id") << R"({"links":[]})"_ba;
    QTest::newRow("a link that is not a pair") << R"({"id":"n","links":[["n2"]]})"_ba;
    QTest::newRow("a channel rate without a name") << R"({"id":"n","channels":[[1,2,3]]})"_ba;
    QByteArray many = R"({"id":"n","channels":[)";
    for (int i = 0; i <= MaxStatusChannels; ++i) {
        many += (i ? "," : "") + QByteArray(R"(["1","c",1])");
    }
    QTest::newRow("more channels than a status names") << many + "]}";
}

void tst_AdminParts::hostileNodeStatusesAreRefused()
{
    QFETCH(QByteArray, bytes);
    QVERIFY(!decodeNodeStatus(bytes));
}

void tst_AdminParts::linksAreListedOnceWithAMeasuredRoundTrip()
{
    ClusterSnapshot cluster;
    cluster.selfId = u"b"_s;
    cluster.statuses.insert(u"a"_s, NodeStatus{u"a"_s, {}, 0, false, {}, {{u"b"_s, -1}}, {}});
    cluster.statuses.insert(u"b"_s, NodeStatus{u"b"_s, {}, 0, false, {}, {{u"a"_s, 2500}}, {}});
    const QList<QJsonObject> links = topologyLinks(cluster);
    QCOMPARE(links.size(), 1);
    QCOMPARE(links.at(0).value("key"_L1).toString(), u"a|b"_s);
    QCOMPARE(links.at(0).value("rtt_ms"_L1).toDouble(), 2.5);
}

void tst_AdminParts::trafficAndRatesAddUpOverNodes()
{
    ClusterSnapshot cluster;
    cluster.statuses
            .insert(u"a"_s,
                    NodeStatus{u"a"_s, {}, 0, false, {2, 1, 2, 3, 4}, {}, {{u"1"_s, u"x"_s, 3}}});
    cluster.statuses.insert(u"b"_s, NodeStatus{u"b"_s,
                                               {},
                                               0,
                                               false,
                                               {5, 10, 20, 30, 40},
                                               {},
                                               {{u"1"_s, u"x"_s, 4}}});
    const QJsonObject sample = trafficSample(cluster, 99);
    QCOMPARE(sample.value("at"_L1).toInteger(), 99);
    const QJsonObject total = sample.value("total"_L1).toObject();
    QCOMPARE(total.value("connections"_L1).toInt(), 7);
    QCOMPARE(total.value("bytes_out"_L1).toInt(), 44);
    QCOMPARE(sample.value("nodes"_L1).toArray().size(), 2);
    QCOMPARE(clusterChannelRates(cluster).value(u"1/x"_s), 7);
}

void tst_AdminParts::listQueriesAreChecked_data()
{
    QTest::addColumn<QByteArray>("params");
    QTest::addColumn<QString>("message");
    QTest::newRow("a limit past 1000")
            << R"({"limit":1001})"_ba << u"\"limit\" must be an integer from 0 to 1000"_s;
    QTest::newRow("a negative offset") << R"({"offset":-1})"_ba << u"\"offset\""_s;
    QTest::newRow("an unknown sort")
            << R"({"sort":"size"})"_ba << u"\"sort\" must be one of: subscribers, name, rate"_s;
    QTest::newRow("a filter that is a number") << R"({"filter":3})"_ba << u"\"filter\""_s;
}

void tst_AdminParts::listQueriesAreChecked()
{
    QFETCH(QByteArray, params);
    QFETCH(QString, message);
    const Result<ListQuery> query =
            listQuery(QJsonDocument::fromJson(params).object(), ChannelSorts);
    QVERIFY(!query);
    QCOMPARE(errorName(query.error().code), u"bad_request"_s);
    QVERIFY2(query.error().message.contains(message), qPrintable(query.error().message));
}

void tst_AdminParts::channelPagesSortFilterAndPage()
{
    Broker::Broker broker;
    const QList<QPair<QString, int>> channels{{u"news"_s, 3}, {u"sport"_s, 1}, {u"newsflash"_s, 2}};
    Broker::ConnectionId next = 1;
    for (const auto &[name, subscribers] : channels) {
        for (int i = 0; i < subscribers; ++i) {
            broker.addConnection(next, u"1"_s);
            broker.subscribe(next++, name, std::nullopt, 100);
        }
    }
    const QHash<QString, qint64> rates{{u"1/sport"_s, 9}};
    ListQuery query;
    query.sort = u"subscribers"_s;
    ListPage page = channelPage(broker, {u"1"_s}, rates, query);
    QCOMPARE(page.total, 3);
    QCOMPARE(page.items.at(0).value("name"_L1).toString(), u"news"_s);
    QCOMPARE(page.items.at(0).value("subscribers"_L1).toInt(), 3);
    QVERIFY(page.items.at(0).value("members"_L1).isNull());
    query.sort = u"rate"_s;
    page = channelPage(broker, {u"1"_s}, rates, query);
    QCOMPARE(page.items.at(0).value("name"_L1).toString(), u"sport"_s);
    QCOMPARE(page.items.at(0).value("rate"_L1).toInt(), 9);
    query.sort = u"name"_s;
    query.filter = u"news"_s;
    query.offset = 1;
    query.limit = 1;
    page = channelPage(broker, {u"1"_s}, rates, query);
    QCOMPARE(page.total, 2);
    QCOMPARE(page.items.size(), 1);
    QCOMPARE(page.items.at(0).value("key"_L1).toString(), u"1/newsflash"_s);
}

void tst_AdminParts::utf8LengthCountsEncodedBytes()
{
    for (const QString &text :
         {u"plain"_s, u"caf\u00e9"_s, u"\u20ac5"_s, u"\U0001F600!"_s, QString()}) {
        QCOMPARE(Observability::utf8Length(text), text.toUtf8().size());
    }
}

QTEST_GUILESS_MAIN(tst_AdminParts)
#include "tst_adminparts.moc"
