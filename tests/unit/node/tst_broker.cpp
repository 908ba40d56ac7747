#include <node/broker/broker.h>

#include <QTest>

#include <algorithm>

using DNotifier::Broker::Broker;
using DNotifier::Broker::Channel;
using DNotifier::Broker::ChannelSummary;
using DNotifier::Broker::ConnectionId;
using DNotifier::Broker::ConnectionRemoval;
using DNotifier::Broker::PresenceMember;
using DNotifier::Broker::Publication;
using DNotifier::Broker::SubscribeOutcome;
using DNotifier::Broker::SubscribeStatus;
using DNotifier::Broker::UnsubscribeOutcome;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int NoMemberLimit = 100;

const QString AppA = u"app-a"_s;
const QString AppB = u"app-b"_s;

PresenceMember member(const QString &userId, const QByteArray &userInfo = {})
{
    return PresenceMember{userId, userInfo};
}

QList<ConnectionId> sorted(QList<ConnectionId> ids)
{
    std::sort(ids.begin(), ids.end());
    return ids;
}

Publication publication(const QString &channel, const QByteArray &data, qint64 createdMs)
{
    Publication result;
    result.channel = channel;
    result.event = u"update"_s;
    result.data = data;
    result.createdMs = createdMs;
    return result;
}

} // namespace

class tst_Broker final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connections();
    void subscribeOccupiesAndCounts();
    void subscribeTwiceIsIdempotent();
    void subscribeUnknownConnection();
    void unsubscribeVacatesOnLastSubscriber();
    void unsubscribeWhenNotSubscribed();
    void presenceOneMemberPerUser();
    void presenceMemberRemovedOnlyOnLastConnection();
    void presenceDisconnectRemovesMember();
    void presenceUserIdsAreStrings_data();
    void presenceUserIdsAreStrings();
    void presenceResubscribeDoesNotCountTwice();
    void presenceKeepsUserInfo();
    void presenceMemberLimit();
    void presenceMemberLimitLeavesNoEmptyChannel();
    void recipientsExcludeSender();
    void appsAreSeparate();
    void channelsListing();
    void removeConnectionReportsEveryChannel();
    void removeUnknownConnection();
    void cacheWithinTtl_data();
    void cacheWithinTtl();
    void cacheKeepsLatestAndOutlivesChannel();
    void signInOnlineOffline();
    void signInAgainIsNotANewArrival();
    void watchers();
    void watchersAfterSecondSignIn();
};

void tst_Broker::connections()
{
    Broker broker;
    QVERIFY(!broker.hasConnection(1));
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppB);
    QVERIFY(broker.hasConnection(1));
    QCOMPARE(broker.appOf(1), AppA);
    QCOMPARE(broker.appOf(2), AppB);
    QCOMPARE(broker.appOf(3), QString());
    QCOMPARE(broker.connectionCount(), 2);

    (void)broker.removeConnection(1);
    QVERIFY(!broker.hasConnection(1));
    QCOMPARE(broker.connectionCount(), 1);
}

void tst_Broker::subscribeOccupiesAndCounts()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);

    const SubscribeOutcome first = broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);
    QCOMPARE(first.status, SubscribeStatus::Subscribed);
    QVERIFY(first.occupied);
    QVERIFY(!first.memberAdded);
    QCOMPARE(first.subscriptionCount, 1);

    const SubscribeOutcome second = broker.subscribe(2, u"news"_s, std::nullopt, NoMemberLimit);
    QCOMPARE(second.status, SubscribeStatus::Subscribed);
    QVERIFY(!second.occupied);
    QCOMPARE(second.subscriptionCount, 2);

    QVERIFY(broker.isSubscribed(1, u"news"_s));
    QVERIFY(broker.isSubscribed(2, u"news"_s));
    QVERIFY(!broker.isSubscribed(1, u"other"_s));
    const Channel *channel = broker.channel(AppA, u"news"_s);
    QVERIFY(channel);
    QCOMPARE(channel->subscriptionCount(), 2);
    QCOMPARE(channel->userCount(), 0);
}

void tst_Broker::subscribeTwiceIsIdempotent()
{
    Broker broker;
    broker.addConnection(1, AppA);
    (void)broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);

    const SubscribeOutcome again = broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);
    QCOMPARE(again.status, SubscribeStatus::AlreadySubscribed);
    QVERIFY(!again.occupied);
    QCOMPARE(again.subscriptionCount, 1);

    const UnsubscribeOutcome left = broker.unsubscribe(1, u"news"_s);
    QVERIFY(left.wasSubscribed);
    QVERIFY(left.vacated);
    QVERIFY(!broker.channel(AppA, u"news"_s));
}

void tst_Broker::subscribeUnknownConnection()
{
    Broker broker;
    const SubscribeOutcome outcome = broker.subscribe(9, u"news"_s, std::nullopt, NoMemberLimit);
    QCOMPARE(outcome.status, SubscribeStatus::UnknownConnection);
    QVERIFY(!outcome.occupied);
    QVERIFY(broker.channels(AppA, QString()).isEmpty());
}

void tst_Broker::unsubscribeVacatesOnLastSubscriber()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    (void)broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);
    (void)broker.subscribe(2, u"news"_s, std::nullopt, NoMemberLimit);

    const UnsubscribeOutcome first = broker.unsubscribe(1, u"news"_s);
    QCOMPARE(first.channel, u"news"_s);
    QVERIFY(first.wasSubscribed);
    QVERIFY(!first.vacated);
    QVERIFY(!first.memberRemoved);
    QCOMPARE(first.subscriptionCount, 1);
    QVERIFY(!broker.isSubscribed(1, u"news"_s));

    const UnsubscribeOutcome last = broker.unsubscribe(2, u"news"_s);
    QVERIFY(last.wasSubscribed);
    QVERIFY(last.vacated);
    QCOMPARE(last.subscriptionCount, 0);
    QVERIFY(!broker.channel(AppA, u"news"_s));
    QVERIFY(broker.channels(AppA, QString()).isEmpty());
}

void tst_Broker::unsubscribeWhenNotSubscribed()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    (void)broker.subscribe(2, u"news"_s, std::nullopt, NoMemberLimit);

    const UnsubscribeOutcome outcome = broker.unsubscribe(1, u"news"_s);
    QCOMPARE(outcome.channel, u"news"_s);
    QVERIFY(!outcome.wasSubscribed);
    QVERIFY(!outcome.vacated);
    QVERIFY(broker.isSubscribed(2, u"news"_s));

    const UnsubscribeOutcome unknown = broker.unsubscribe(9, u"news"_s);
    QVERIFY(!unknown.wasSubscribed);
    QVERIFY(!unknown.vacated);
}

void tst_Broker::presenceOneMemberPerUser()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    broker.addConnection(3, AppA);
    const QString room = u"presence-room"_s;

    const SubscribeOutcome first = broker.subscribe(1, room, member(u"u1"_s), NoMemberLimit);
    QCOMPARE(first.status, SubscribeStatus::Subscribed);
    QVERIFY(first.occupied);
    QVERIFY(first.memberAdded);

    const SubscribeOutcome secondTab = broker.subscribe(2, room, member(u"u1"_s), NoMemberLimit);
    QCOMPARE(secondTab.status, SubscribeStatus::Subscribed);
    QVERIFY(!secondTab.occupied);
    QVERIFY(!secondTab.memberAdded);
    QCOMPARE(secondTab.subscriptionCount, 2);

    const SubscribeOutcome other = broker.subscribe(3, room, member(u"u2"_s), NoMemberLimit);
    QVERIFY(other.memberAdded);

    const Channel *channel = broker.channel(AppA, room);
    QVERIFY(channel);
    QCOMPARE(channel->subscriptionCount(), 3);
    QCOMPARE(channel->userCount(), 2);
    QCOMPARE(channel->members().value(u"u1"_s).connections, 2);
    QCOMPARE(channel->members().value(u"u2"_s).connections, 1);
    QCOMPARE(broker.memberOf(1, room), u"u1"_s);
    QCOMPARE(broker.memberOf(2, room), u"u1"_s);
    QCOMPARE(broker.memberOf(3, room), u"u2"_s);

    const QList<ChannelSummary> summaries = broker.channels(AppA, u"presence-"_s);
    QCOMPARE(summaries.size(), 1);
    QCOMPARE(summaries.first().subscriptionCount, 3);
    QCOMPARE(summaries.first().userCount, 2);
}

void tst_Broker::presenceMemberRemovedOnlyOnLastConnection()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    broker.addConnection(3, AppA);
    const QString room = u"presence-room"_s;
    (void)broker.subscribe(1, room, member(u"u1"_s, "{\"name\":\"Ada\"}"_ba), NoMemberLimit);
    (void)broker.subscribe(2, room, member(u"u1"_s, "{\"name\":\"Ada\"}"_ba), NoMemberLimit);
    (void)broker.subscribe(3, room, member(u"u2"_s), NoMemberLimit);

    const UnsubscribeOutcome firstTab = broker.unsubscribe(1, room);
    QVERIFY(firstTab.wasSubscribed);
    QVERIFY(!firstTab.memberRemoved);
    QVERIFY(!firstTab.vacated);
    QCOMPARE(broker.channel(AppA, room)->userCount(), 2);

    const UnsubscribeOutcome lastTab = broker.unsubscribe(2, room);
    QVERIFY(lastTab.memberRemoved);
    QCOMPARE(lastTab.memberRemoved->userId, u"u1"_s);
    QCOMPARE(lastTab.memberRemoved->userInfo, "{\"name\":\"Ada\"}"_ba);
    QVERIFY(!lastTab.vacated);
    QCOMPARE(broker.channel(AppA, room)->userCount(), 1);
    QVERIFY(!broker.channel(AppA, room)->members().contains(u"u1"_s));

    const UnsubscribeOutcome lastUser = broker.unsubscribe(3, room);
    QVERIFY(lastUser.memberRemoved);
    QCOMPARE(lastUser.memberRemoved->userId, u"u2"_s);
    QVERIFY(lastUser.vacated);
}

void tst_Broker::presenceDisconnectRemovesMember()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    const QString room = u"presence-room"_s;
    (void)broker.subscribe(1, room, member(u"u1"_s), NoMemberLimit);
    (void)broker.subscribe(2, room, member(u"u1"_s), NoMemberLimit);

    const ConnectionRemoval first = broker.removeConnection(1);
    QCOMPARE(first.channels.size(), 1);
    QVERIFY(!first.channels.first().memberRemoved);
    QVERIFY(!first.channels.first().vacated);

    const ConnectionRemoval last = broker.removeConnection(2);
    QCOMPARE(last.channels.size(), 1);
    QCOMPARE(last.channels.first().channel, room);
    QVERIFY(last.channels.first().memberRemoved);
    QCOMPARE(last.channels.first().memberRemoved->userId, u"u1"_s);
    QVERIFY(last.channels.first().vacated);
    QVERIFY(!broker.channel(AppA, room));
}

void tst_Broker::presenceUserIdsAreStrings_data()
{
    QTest::addColumn<QString>("firstId");
    QTest::addColumn<QString>("secondId");
    QTest::addColumn<int>("userCount");

    // The adapter turns a numeric user_id 10 into the string "10" before the broker sees it.
    QTest::newRow("the same digits on two connections are one user") << u"10"_s << u"10"_s << 1;
    QTest::newRow("a leading zero makes a different user") << u"10"_s << u"010"_s << 2;
    QTest::newRow("ids differing in case are different users") << u"ada"_s << u"Ada"_s << 2;
}

void tst_Broker::presenceUserIdsAreStrings()
{
    QFETCH(QString, firstId);
    QFETCH(QString, secondId);
    QFETCH(int, userCount);

    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    const QString room = u"presence-room"_s;
    QVERIFY(broker.subscribe(1, room, member(firstId), NoMemberLimit).memberAdded);
    const SubscribeOutcome second = broker.subscribe(2, room, member(secondId), NoMemberLimit);
    QCOMPARE(second.memberAdded, userCount == 2);
    QCOMPARE(broker.channel(AppA, room)->userCount(), userCount);
}

void tst_Broker::presenceResubscribeDoesNotCountTwice()
{
    Broker broker;
    broker.addConnection(1, AppA);
    const QString room = u"presence-room"_s;
    (void)broker.subscribe(1, room, member(u"u1"_s), NoMemberLimit);
    const SubscribeOutcome again = broker.subscribe(1, room, member(u"u1"_s), NoMemberLimit);
    QCOMPARE(again.status, SubscribeStatus::AlreadySubscribed);
    QVERIFY(!again.memberAdded);
    QCOMPARE(broker.channel(AppA, room)->members().value(u"u1"_s).connections, 1);

    const UnsubscribeOutcome left = broker.unsubscribe(1, room);
    QVERIFY(left.memberRemoved);
    QCOMPARE(left.memberRemoved->userId, u"u1"_s);
    QVERIFY(left.vacated);
}

void tst_Broker::presenceKeepsUserInfo()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    const QString room = u"presence-room"_s;
    (void)broker.subscribe(1, room, member(u"u1"_s, "{\"name\":\"Ada\"}"_ba), NoMemberLimit);
    (void)broker.subscribe(2, room, member(u"u2"_s), NoMemberLimit);

    const Channel *channel = broker.channel(AppA, room);
    QCOMPARE(channel->members().value(u"u1"_s).userInfo, "{\"name\":\"Ada\"}"_ba);
    QCOMPARE(channel->members().value(u"u2"_s).userInfo, QByteArray());
}

void tst_Broker::presenceMemberLimit()
{
    Broker broker;
    for (ConnectionId id = 1; id <= 4; ++id) {
        broker.addConnection(id, AppA);
    }
    const QString room = u"presence-room"_s;
    constexpr int limit = 2;
    QCOMPARE(broker.subscribe(1, room, member(u"u1"_s), limit).status, SubscribeStatus::Subscribed);
    QCOMPARE(broker.subscribe(2, room, member(u"u2"_s), limit).status, SubscribeStatus::Subscribed);

    const SubscribeOutcome third = broker.subscribe(3, room, member(u"u3"_s), limit);
    QCOMPARE(third.status, SubscribeStatus::PresenceFull);
    QVERIFY(!third.memberAdded);
    QVERIFY(!third.occupied);
    QCOMPARE(third.subscriptionCount, 2);
    QVERIFY(!broker.isSubscribed(3, room));
    QCOMPARE(broker.memberOf(3, room), QString());
    QCOMPARE(broker.channel(AppA, room)->userCount(), 2);
    QCOMPARE(broker.channel(AppA, room)->subscriptionCount(), 2);

    // A user already in the channel may open another connection while it is full.
    const SubscribeOutcome secondTab = broker.subscribe(4, room, member(u"u1"_s), limit);
    QCOMPARE(secondTab.status, SubscribeStatus::Subscribed);
    QVERIFY(!secondTab.memberAdded);
    QCOMPARE(broker.channel(AppA, room)->userCount(), 2);

    // Once a user leaves, a new one fits again.
    (void)broker.unsubscribe(2, room);
    QCOMPARE(broker.subscribe(3, room, member(u"u3"_s), limit).status, SubscribeStatus::Subscribed);
}

void tst_Broker::presenceMemberLimitLeavesNoEmptyChannel()
{
    Broker broker;
    broker.addConnection(1, AppA);
    const SubscribeOutcome outcome = broker.subscribe(1, u"presence-room"_s, member(u"u1"_s), 0);
    QCOMPARE(outcome.status, SubscribeStatus::PresenceFull);
    QCOMPARE(outcome.subscriptionCount, 0);
    QVERIFY(!broker.channel(AppA, u"presence-room"_s));
    QVERIFY(broker.channels(AppA, QString()).isEmpty());
    QVERIFY(!broker.isSubscribed(1, u"presence-room"_s));
}

void tst_Broker::recipientsExcludeSender()
{
    Broker broker;
    for (ConnectionId id = 1; id <= 3; ++id) {
        broker.addConnection(id, AppA);
        (void)broker.subscribe(id, u"private-chat"_s, std::nullopt, NoMemberLimit);
    }
    broker.addConnection(4, AppA);

    QCOMPARE(sorted(broker.recipients(AppA, u"private-chat"_s)), (QList<ConnectionId>{1, 2, 3}));
    QCOMPARE(sorted(broker.recipients(AppA, u"private-chat"_s, 2)), (QList<ConnectionId>{1, 3}));
    QCOMPARE(sorted(broker.recipients(AppA, u"private-chat"_s, 4)), (QList<ConnectionId>{1, 2, 3}));
    QVERIFY(broker.recipients(AppA, u"nobody-here"_s).isEmpty());
    QVERIFY(broker.recipients(AppB, u"private-chat"_s).isEmpty());
}

void tst_Broker::appsAreSeparate()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppB);

    QVERIFY(broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit).occupied);
    QVERIFY(broker.subscribe(2, u"news"_s, std::nullopt, NoMemberLimit).occupied);
    QCOMPARE(broker.recipients(AppA, u"news"_s), (QList<ConnectionId>{1}));
    QCOMPARE(broker.recipients(AppB, u"news"_s), (QList<ConnectionId>{2}));

    QVERIFY(broker.unsubscribe(1, u"news"_s).vacated);
    QVERIFY(!broker.channel(AppA, u"news"_s));
    QVERIFY(broker.channel(AppB, u"news"_s));
}

void tst_Broker::channelsListing()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    (void)broker.subscribe(1, u"presence-b"_s, member(u"u1"_s), NoMemberLimit);
    (void)broker.subscribe(2, u"presence-b"_s, member(u"u1"_s), NoMemberLimit);
    (void)broker.subscribe(1, u"presence-a"_s, member(u"u1"_s), NoMemberLimit);
    (void)broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);

    const QList<ChannelSummary> all = broker.channels(AppA, QString());
    QCOMPARE(all.size(), 3);
    QCOMPARE(all.at(0).name, u"news"_s);
    QCOMPARE(all.at(1).name, u"presence-a"_s);
    QCOMPARE(all.at(2).name, u"presence-b"_s);
    QCOMPARE(all.at(2).subscriptionCount, 2);
    QCOMPARE(all.at(2).userCount, 1);

    const QList<ChannelSummary> presence = broker.channels(AppA, u"presence-"_s);
    QCOMPARE(presence.size(), 2);
    QCOMPARE(presence.at(0).name, u"presence-a"_s);
    QVERIFY(broker.channels(AppA, u"private-"_s).isEmpty());
    QVERIFY(broker.channels(AppB, QString()).isEmpty());
}

void tst_Broker::removeConnectionReportsEveryChannel()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    (void)broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);
    (void)broker.subscribe(1, u"private-chat"_s, std::nullopt, NoMemberLimit);
    (void)broker.subscribe(2, u"private-chat"_s, std::nullopt, NoMemberLimit);

    const ConnectionRemoval removal = broker.removeConnection(1);
    QCOMPARE(removal.channels.size(), 2);
    QCOMPARE(removal.userWentOffline, QString());
    for (const UnsubscribeOutcome &outcome : removal.channels) {
        QVERIFY(outcome.wasSubscribed);
        QCOMPARE(outcome.vacated, outcome.channel == u"news"_s);
    }
    QVERIFY(!broker.channel(AppA, u"news"_s));
    QCOMPARE(broker.recipients(AppA, u"private-chat"_s), (QList<ConnectionId>{2}));
    QVERIFY(!broker.isSubscribed(1, u"private-chat"_s));
}

void tst_Broker::removeUnknownConnection()
{
    Broker broker;
    const ConnectionRemoval removal = broker.removeConnection(7);
    QVERIFY(removal.channels.isEmpty());
    QCOMPARE(removal.userWentOffline, QString());
}

void tst_Broker::cacheWithinTtl_data()
{
    QTest::addColumn<QString>("appId");
    QTest::addColumn<QString>("channel");
    QTest::addColumn<qint64>("nowMs");
    QTest::addColumn<bool>("found");

    constexpr qint64 created = 1'000'000;
    QTest::newRow("a fresh publication is returned") << AppA << u"cache-news"_s << created << true;
    QTest::newRow("a publication one millisecond short of the TTL is returned")
            << AppA << u"cache-news"_s << created + 59'999 << true;
    QTest::newRow("a publication one millisecond past the TTL is gone")
            << AppA << u"cache-news"_s << created + 60'001 << false;
    QTest::newRow("another channel has nothing cached")
            << AppA << u"cache-other"_s << created << false;
    QTest::newRow("another app has nothing cached") << AppB << u"cache-news"_s << created << false;
}

void tst_Broker::cacheWithinTtl()
{
    QFETCH(QString, appId);
    QFETCH(QString, channel);
    QFETCH(qint64, nowMs);
    QFETCH(bool, found);

    constexpr qint64 ttlMs = 60'000;
    Broker broker;
    broker.setCached(AppA, publication(u"cache-news"_s, "{\"v\":1}"_ba, 1'000'000));

    const std::optional<Publication> cached = broker.cached(appId, channel, nowMs, ttlMs);
    QCOMPARE(cached.has_value(), found);
    if (found) {
        QCOMPARE(cached->channel, u"cache-news"_s);
        QCOMPARE(cached->event, u"update"_s);
        QCOMPARE(cached->data, "{\"v\":1}"_ba);
    }
}

void tst_Broker::cacheKeepsLatestAndOutlivesChannel()
{
    Broker broker;
    broker.addConnection(1, AppA);
    (void)broker.subscribe(1, u"cache-news"_s, std::nullopt, NoMemberLimit);
    broker.setCached(AppA, publication(u"cache-news"_s, "first"_ba, 1000));
    broker.setCached(AppA, publication(u"cache-news"_s, "second"_ba, 2000));

    QVERIFY(broker.unsubscribe(1, u"cache-news"_s).vacated);

    const std::optional<Publication> cached = broker.cached(AppA, u"cache-news"_s, 2500, 60'000);
    QVERIFY(cached);
    QCOMPARE(cached->data, "second"_ba);
    QCOMPARE(cached->createdMs, qint64(2000));
}

void tst_Broker::signInOnlineOffline()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    broker.addConnection(3, AppB);

    QVERIFY(!broker.isOnline(AppA, u"u1"_s));
    QVERIFY(broker.signIn(1, u"u1"_s, {}));
    QVERIFY(!broker.signIn(2, u"u1"_s, {}));
    QVERIFY(broker.signIn(3, u"u1"_s, {}));
    QVERIFY(!broker.signIn(9, u"u1"_s, {}));

    QCOMPARE(broker.userOf(1), u"u1"_s);
    QCOMPARE(broker.userOf(9), QString());
    QVERIFY(broker.isOnline(AppA, u"u1"_s));
    QVERIFY(!broker.isOnline(AppA, u"u2"_s));
    QCOMPARE(sorted(broker.connectionsOfUser(AppA, u"u1"_s)), (QList<ConnectionId>{1, 2}));
    QCOMPARE(broker.connectionsOfUser(AppB, u"u1"_s), (QList<ConnectionId>{3}));

    QCOMPARE(broker.removeConnection(1).userWentOffline, QString());
    QVERIFY(broker.isOnline(AppA, u"u1"_s));
    QCOMPARE(broker.connectionsOfUser(AppA, u"u1"_s), (QList<ConnectionId>{2}));

    QCOMPARE(broker.removeConnection(2).userWentOffline, u"u1"_s);
    QVERIFY(!broker.isOnline(AppA, u"u1"_s));
    QVERIFY(broker.connectionsOfUser(AppA, u"u1"_s).isEmpty());
    QVERIFY(broker.isOnline(AppB, u"u1"_s));
}

void tst_Broker::signInAgainIsNotANewArrival()
{
    // The Pusher session accepts a second pusher:signin for the same id on one connection; the
    // hub then announces the user online to its watchers whenever signIn returns true.
    Broker broker;
    broker.addConnection(1, AppA);
    QVERIFY(broker.signIn(1, u"u1"_s, {}));
    QVERIFY2(!broker.signIn(1, u"u1"_s, {}),
             "u1 already had a signed-in connection (this one), so it did not come online");
    QCOMPARE(broker.connectionsOfUser(AppA, u"u1"_s), (QList<ConnectionId>{1}));
    QCOMPARE(broker.removeConnection(1).userWentOffline, u"u1"_s);
}

void tst_Broker::watchers()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    broker.addConnection(3, AppB);
    (void)broker.signIn(1, u"u1"_s, {u"u2"_s, u"u3"_s});
    (void)broker.signIn(2, u"u4"_s, {u"u2"_s});
    (void)broker.signIn(3, u"u5"_s, {u"u2"_s});

    QCOMPARE(sorted(broker.watchersOf(AppA, u"u2"_s)), (QList<ConnectionId>{1, 2}));
    QCOMPARE(broker.watchersOf(AppA, u"u3"_s), (QList<ConnectionId>{1}));
    QVERIFY(broker.watchersOf(AppA, u"u1"_s).isEmpty());
    QCOMPARE(broker.watchersOf(AppB, u"u2"_s), (QList<ConnectionId>{3}));

    (void)broker.removeConnection(1);
    QCOMPARE(broker.watchersOf(AppA, u"u2"_s), (QList<ConnectionId>{2}));
    QVERIFY(broker.watchersOf(AppA, u"u3"_s).isEmpty());
    QCOMPARE(broker.watchersOf(AppB, u"u2"_s), (QList<ConnectionId>{3}));
}

void tst_Broker::watchersAfterSecondSignIn()
{
    // A second pusher:signin as the same id (which the session accepts) may carry another
    // watchlist; once the connection is gone it must watch nobody.
    Broker broker;
    broker.addConnection(1, AppA);
    (void)broker.signIn(1, u"u1"_s, {u"u2"_s});
    (void)broker.signIn(1, u"u1"_s, {u"u3"_s});
    QCOMPARE(broker.watchersOf(AppA, u"u3"_s), (QList<ConnectionId>{1}));

    (void)broker.removeConnection(1);
    QVERIFY(broker.watchersOf(AppA, u"u3"_s).isEmpty());
    QVERIFY2(broker.watchersOf(AppA, u"u2"_s).isEmpty(),
             "a closed connection is still listed as watching u2 from its first signin");
}

QTEST_GUILESS_MAIN(tst_Broker)
#include "tst_broker.moc"
