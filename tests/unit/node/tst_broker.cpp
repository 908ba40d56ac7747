#include <node/broker/broker.h>

#include <QTest>

#include <algorithm>
#include <utility>

using DNotifier::Broker::Broker;
using DNotifier::Broker::Channel;
using DNotifier::Broker::ChannelSummary;
using DNotifier::Broker::ConnectionId;
using DNotifier::Broker::ConnectionRemoval;
using DNotifier::Broker::LocalShareObserver;
using DNotifier::Broker::MemberChange;
using DNotifier::Broker::NodeId;
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

const NodeId NodeOne = u"node-1"_s;
const NodeId NodeTwo = u"node-2"_s;

QStringList userIds(const QList<PresenceMember> &members)
{
    QStringList ids;
    for (const PresenceMember &member : members) {
        ids.append(member.userId);
    }
    return ids;
}

QStringList describe(const QList<MemberChange> &changes)
{
    QStringList lines;
    for (const MemberChange &change : changes) {
        lines.append(u"%1 %2 %3 %4"_s.arg(change.appId, change.channel, change.member.userId,
                                          QString::fromUtf8(change.member.userInfo)));
    }
    lines.sort();
    return lines;
}

QList<NodeId> sortedNodes(QList<NodeId> nodes)
{
    std::sort(nodes.begin(), nodes.end());
    return nodes;
}

// Writes down every call as a line, so a test compares them with the lines it expects.
class RecordingObserver final : public LocalShareObserver
{
public:
    void localSubscriptionsChanged(const QString &appId, const QString &channel, int count) override
    {
        m_calls.append(u"count %1 %2 %3"_s.arg(appId, channel).arg(count));
    }

    void localMemberAdded(const QString &appId,
                          const QString &channel,
                          const PresenceMember &member) override
    {
        m_calls.append(u"added %1 %2 %3 %4"_s.arg(appId, channel, member.userId,
                                                  QString::fromUtf8(member.userInfo)));
    }

    void localMemberRemoved(const QString &appId,
                            const QString &channel,
                            const QString &userId) override
    {
        m_calls.append(u"removed %1 %2 %3"_s.arg(appId, channel, userId));
    }

    // The calls since the last take(), sorted: the broker promises no order among the calls
    // one of its methods makes.
    QStringList take()
    {
        QStringList calls = std::exchange(m_calls, {});
        calls.sort();
        return calls;
    }

private:
    QStringList m_calls;
};

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
    void subscribersGrowingAndShrinkingAcrossTheSmallListLimit();
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
    void remoteSubscriptionsAddToSummary();
    void remoteOnlyChannelIsListed();
    void interestedNodes();
    void localAndRemoteMemberCountOnce();
    void memberNotAddedWhenHeldRemotely();
    void memberNotRemovedWhileHeldRemotely();
    void remoteMemberChangesWhileHeldLocally();
    void remoteMemberHeldByTwoNodes();
    void removeNodeReturnsOnlyMembersNoOneElseHolds();
    void remoteShareOfANode();
    void occupiedAndVacatedConsiderRemoteInterest();
    void presenceMemberLimitCountsRemoteMembers();
    void observerSeesLocalSubscriptionCounts();
    void observerSeesFirstAndLastLocalConnectionOfAUser();
    void observerIgnoresRemoteChangesAndRefusals();
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

void tst_Broker::subscribersGrowingAndShrinkingAcrossTheSmallListLimit()
{
    // A channel keeps a few subscribers in a short list and more in a hash set: every count from
    // 1 to 20 and back must list exactly the subscribers, with no duplicate and no loss.
    Broker broker;
    QList<ConnectionId> expected;
    for (ConnectionId id = 1; id <= 20; ++id) {
        broker.addConnection(id, AppA);
        QCOMPARE(broker.subscribe(id, u"crowd"_s, std::nullopt, NoMemberLimit).subscriptionCount,
                 int(id));
        QCOMPARE(broker.subscribe(id, u"crowd"_s, std::nullopt, NoMemberLimit).status,
                 SubscribeStatus::AlreadySubscribed);
        expected.append(id);
        QCOMPARE(sorted(broker.recipients(AppA, u"crowd"_s)), expected);
        QVERIFY(broker.isSubscribed(id, u"crowd"_s));
    }
    // Leaving in another order than the arrival, down to none.
    for (ConnectionId id : QList<ConnectionId>{7, 20, 1, 13, 2, 19, 3, 18, 4,  17,
                                               5, 16, 6, 15, 8, 14, 9, 12, 10, 11}) {
        const UnsubscribeOutcome outcome = broker.unsubscribe(id, u"crowd"_s);
        QVERIFY(outcome.wasSubscribed);
        expected.removeOne(id);
        QCOMPARE(outcome.subscriptionCount, int(expected.size()));
        QCOMPARE(outcome.vacated, expected.isEmpty());
        QCOMPARE(sorted(broker.recipients(AppA, u"crowd"_s)), expected);
        QVERIFY(!broker.isSubscribed(id, u"crowd"_s));
    }
    QVERIFY(!broker.channel(AppA, u"crowd"_s));
    // Filled again after emptying, past the limit and back under it.
    for (ConnectionId id = 1; id <= 12; ++id) {
        (void)broker.subscribe(id, u"crowd"_s, std::nullopt, NoMemberLimit);
    }
    for (ConnectionId id = 1; id <= 9; ++id) {
        (void)broker.unsubscribe(id, u"crowd"_s);
    }
    QCOMPARE(sorted(broker.recipients(AppA, u"crowd"_s, 11)), (QList<ConnectionId>{10, 12}));
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

void tst_Broker::remoteSubscriptionsAddToSummary()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    (void)broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);
    (void)broker.subscribe(2, u"news"_s, std::nullopt, NoMemberLimit);
    broker.setRemoteSubscriptions(NodeOne, AppA, u"news"_s, 3);
    broker.setRemoteSubscriptions(NodeTwo, AppA, u"news"_s, 4);
    broker.setRemoteSubscriptions(NodeOne, AppB, u"news"_s, 10);

    const ChannelSummary news = broker.summary(AppA, u"news"_s);
    QCOMPARE(news.name, u"news"_s);
    QCOMPARE(news.subscriptionCount, 9);
    QCOMPARE(news.userCount, 0);
    QVERIFY(news.occupied);
    QCOMPARE(broker.channel(AppA, u"news"_s)->subscriptionCount(), 2);

    const QList<ChannelSummary> listed = broker.channels(AppA, QString());
    QCOMPARE(listed.size(), 1);
    QCOMPARE(listed.first().subscriptionCount, 9);

    broker.setRemoteSubscriptions(NodeTwo, AppA, u"news"_s, 1);
    QCOMPARE(broker.summary(AppA, u"news"_s).subscriptionCount, 6);
    broker.setRemoteSubscriptions(NodeOne, AppA, u"news"_s, 0);
    QCOMPARE(broker.summary(AppA, u"news"_s).subscriptionCount, 3);
    QCOMPARE(broker.summary(AppB, u"news"_s).subscriptionCount, 10);

    const ChannelSummary nobody = broker.summary(AppA, u"quiet"_s);
    QCOMPARE(nobody.name, u"quiet"_s);
    QCOMPARE(nobody.subscriptionCount, 0);
    QCOMPARE(nobody.userCount, 0);
    QVERIFY(!nobody.occupied);
}

void tst_Broker::remoteOnlyChannelIsListed()
{
    Broker broker;
    broker.addConnection(1, AppA);
    (void)broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);
    broker.setRemoteSubscriptions(NodeOne, AppA, u"alerts"_s, 5);
    broker.setRemoteSubscriptions(NodeTwo, AppA, u"presence-room"_s, 2);
    (void)broker.addRemoteMember(NodeTwo, AppA, u"presence-room"_s, member(u"u1"_s));

    const QList<ChannelSummary> all = broker.channels(AppA, QString());
    QCOMPARE(all.size(), 3);
    QCOMPARE(all.at(0).name, u"alerts"_s);
    QCOMPARE(all.at(0).subscriptionCount, 5);
    QVERIFY(all.at(0).occupied);
    QCOMPARE(all.at(1).name, u"news"_s);
    QCOMPARE(all.at(1).subscriptionCount, 1);
    QCOMPARE(all.at(2).name, u"presence-room"_s);
    QCOMPARE(all.at(2).subscriptionCount, 2);
    QCOMPARE(all.at(2).userCount, 1);
    QVERIFY(!broker.channel(AppA, u"alerts"_s));

    const QList<ChannelSummary> presence = broker.channels(AppA, u"presence-"_s);
    QCOMPARE(presence.size(), 1);
    QCOMPARE(presence.first().name, u"presence-room"_s);
    QVERIFY(broker.channels(AppB, QString()).isEmpty());

    broker.setRemoteSubscriptions(NodeOne, AppA, u"alerts"_s, 0);
    QCOMPARE(broker.channels(AppA, u"alerts"_s).size(), 0);
}

void tst_Broker::interestedNodes()
{
    Broker broker;
    broker.addConnection(1, AppA);
    (void)broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);
    QVERIFY2(broker.interestedNodes(AppA, u"news"_s).isEmpty(), "local subscribers are no node");

    broker.setRemoteSubscriptions(NodeOne, AppA, u"news"_s, 1);
    broker.setRemoteSubscriptions(NodeTwo, AppA, u"news"_s, 7);
    broker.setRemoteSubscriptions(NodeTwo, AppB, u"other"_s, 1);
    QCOMPARE(sortedNodes(broker.interestedNodes(AppA, u"news"_s)),
             (QList<NodeId>{NodeOne, NodeTwo}));
    QCOMPARE(broker.interestedNodes(AppB, u"other"_s), QList<NodeId>{NodeTwo});
    QVERIFY(broker.interestedNodes(AppB, u"news"_s).isEmpty());
    QVERIFY(broker.interestedNodes(AppA, u"unknown"_s).isEmpty());
    QVERIFY(broker.interestedNodes(u"no-such-app"_s, u"news"_s).isEmpty());

    broker.setRemoteSubscriptions(NodeOne, AppA, u"news"_s, 0);
    QCOMPARE(broker.interestedNodes(AppA, u"news"_s), QList<NodeId>{NodeTwo});
    broker.setRemoteSubscriptions(NodeTwo, AppA, u"news"_s, 0);
    QVERIFY(broker.interestedNodes(AppA, u"news"_s).isEmpty());
}

void tst_Broker::localAndRemoteMemberCountOnce()
{
    Broker broker;
    broker.addConnection(1, AppA);
    const QString room = u"presence-room"_s;
    (void)broker.subscribe(1, room, member(u"u1"_s, "{\"n\":\"local\"}"_ba), NoMemberLimit);
    broker.setRemoteSubscriptions(NodeOne, AppA, room, 2);
    broker.setRemoteSubscriptions(NodeTwo, AppA, room, 1);
    (void)broker.addRemoteMember(NodeOne, AppA, room, member(u"u1"_s, "{\"n\":\"remote\"}"_ba));
    (void)broker.addRemoteMember(NodeOne, AppA, room, member(u"u2"_s, "{\"n\":\"two\"}"_ba));
    (void)broker.addRemoteMember(NodeTwo, AppA, room, member(u"u2"_s, "{\"n\":\"two\"}"_ba));
    (void)broker.addRemoteMember(NodeTwo, AppA, room, member(u"u3"_s, "{\"n\":\"three\"}"_ba));

    const ChannelSummary summary = broker.summary(AppA, room);
    QCOMPARE(summary.userCount, 3);
    QCOMPARE(summary.subscriptionCount, 4);
    QCOMPARE(broker.channels(AppA, QString()).first().userCount, 3);
    QCOMPARE(broker.channel(AppA, room)->userCount(), 1);

    const QList<PresenceMember> members = broker.presenceMembers(AppA, room);
    QCOMPARE(userIds(members), (QStringList{u"u1"_s, u"u2"_s, u"u3"_s}));
    QCOMPARE(members.at(1).userInfo, "{\"n\":\"two\"}"_ba);
    QCOMPARE(members.at(2).userInfo, "{\"n\":\"three\"}"_ba);
    QVERIFY(broker.presenceMembers(AppB, room).isEmpty());
}

void tst_Broker::memberNotAddedWhenHeldRemotely()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    const QString room = u"presence-room"_s;
    QVERIFY(broker.addRemoteMember(NodeOne, AppA, room, member(u"u1"_s)));

    const SubscribeOutcome held = broker.subscribe(1, room, member(u"u1"_s), NoMemberLimit);
    QCOMPARE(held.status, SubscribeStatus::Subscribed);
    QVERIFY2(!held.memberAdded, "node-1 already holds u1, so the roster did not change");
    QCOMPARE(broker.memberOf(1, room), u"u1"_s);

    const SubscribeOutcome fresh = broker.subscribe(2, room, member(u"u2"_s), NoMemberLimit);
    QCOMPARE(fresh.status, SubscribeStatus::Subscribed);
    QVERIFY(fresh.memberAdded);
    QCOMPARE(broker.summary(AppA, room).userCount, 2);
}

void tst_Broker::memberNotRemovedWhileHeldRemotely()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    const QString room = u"presence-room"_s;
    (void)broker.subscribe(1, room, member(u"u1"_s, "{\"n\":1}"_ba), NoMemberLimit);
    (void)broker.subscribe(2, room, member(u"u2"_s), NoMemberLimit);
    QVERIFY(!broker.addRemoteMember(NodeOne, AppA, room, member(u"u1"_s, "{\"n\":1}"_ba)));

    const UnsubscribeOutcome held = broker.unsubscribe(1, room);
    QVERIFY(held.wasSubscribed);
    QVERIFY2(!held.memberRemoved, "node-1 still holds u1");
    QCOMPARE(userIds(broker.presenceMembers(AppA, room)), (QStringList{u"u1"_s, u"u2"_s}));

    const ConnectionRemoval gone = broker.removeConnection(2);
    QCOMPARE(gone.channels.size(), 1);
    QVERIFY(gone.channels.first().memberRemoved);
    QCOMPARE(gone.channels.first().memberRemoved->userId, u"u2"_s);

    const std::optional<PresenceMember> last =
            broker.removeRemoteMember(NodeOne, AppA, room, u"u1"_s);
    QVERIFY2(last, "with node-1's connection gone, no one holds u1");
    QCOMPARE(last->userId, u"u1"_s);
    QCOMPARE(last->userInfo, "{\"n\":1}"_ba);
    QVERIFY(broker.presenceMembers(AppA, room).isEmpty());
}

void tst_Broker::remoteMemberChangesWhileHeldLocally()
{
    Broker broker;
    broker.addConnection(1, AppA);
    const QString room = u"presence-room"_s;
    (void)broker.subscribe(1, room, member(u"u1"_s), NoMemberLimit);

    QVERIFY2(!broker.addRemoteMember(NodeOne, AppA, room, member(u"u1"_s)),
             "u1 was already in the roster through a local connection");
    QVERIFY(!broker.addRemoteMember(NodeTwo, AppA, room, member(u"u1"_s)));
    QVERIFY(!broker.removeRemoteMember(NodeOne, AppA, room, u"u1"_s));
    QVERIFY2(!broker.removeRemoteMember(NodeTwo, AppA, room, u"u1"_s),
             "u1 stays in the roster through the local connection");
    QCOMPARE(userIds(broker.presenceMembers(AppA, room)), QStringList{u"u1"_s});

    const UnsubscribeOutcome left = broker.unsubscribe(1, room);
    QVERIFY(left.memberRemoved);
    QCOMPARE(left.memberRemoved->userId, u"u1"_s);
}

void tst_Broker::remoteMemberHeldByTwoNodes()
{
    Broker broker;
    const QString room = u"presence-room"_s;
    QVERIFY(broker.addRemoteMember(NodeOne, AppA, room, member(u"u2"_s, "{}"_ba)));
    QVERIFY2(!broker.addRemoteMember(NodeTwo, AppA, room, member(u"u2"_s, "{}"_ba)),
             "node-1 already holds u2");
    QVERIFY2(!broker.addRemoteMember(NodeOne, AppA, room, member(u"u2"_s, "{}"_ba)),
             "announcing the same member twice is no change");
    QVERIFY2(!broker.removeRemoteMember(NodeOne, AppA, room, u"u9"_s), "node-1 never held u9");
    QVERIFY2(!broker.removeRemoteMember(NodeOne, AppB, room, u"u2"_s), "another app");
    QVERIFY(!broker.removeRemoteMember(NodeOne, AppA, room, u"u2"_s));

    const std::optional<PresenceMember> last =
            broker.removeRemoteMember(NodeTwo, AppA, room, u"u2"_s);
    QVERIFY(last);
    QCOMPARE(last->userId, u"u2"_s);
    QCOMPARE(last->userInfo, "{}"_ba);
    QVERIFY2(!broker.removeRemoteMember(NodeTwo, AppA, room, u"u2"_s), "already gone");
    QVERIFY(broker.presenceMembers(AppA, room).isEmpty());
}

void tst_Broker::removeNodeReturnsOnlyMembersNoOneElseHolds()
{
    Broker broker;
    broker.addConnection(1, AppA);
    const QString room = u"presence-room"_s;
    const QString lobby = u"presence-lobby"_s;
    (void)broker.subscribe(1, room, member(u"u3"_s), NoMemberLimit);
    broker.setRemoteSubscriptions(NodeOne, AppA, room, 3);
    broker.setRemoteSubscriptions(NodeTwo, AppA, room, 1);
    broker.setRemoteSubscriptions(NodeOne, AppB, lobby, 1);
    (void)broker.addRemoteMember(NodeOne, AppA, room, member(u"u1"_s, "one"_ba));
    (void)broker.addRemoteMember(NodeOne, AppA, room, member(u"u2"_s, "two"_ba));
    (void)broker.addRemoteMember(NodeTwo, AppA, room, member(u"u2"_s, "two"_ba));
    (void)broker.addRemoteMember(NodeOne, AppA, room, member(u"u3"_s, "three"_ba));
    (void)broker.addRemoteMember(NodeOne, AppB, lobby, member(u"u4"_s, "four"_ba));

    (void)broker.addRemoteClient(NodeOne, AppA, room, {u"u1"_s, u"c1"_s, {}, {}});
    (void)broker.addRemoteClient(NodeTwo, AppA, room, {u"u2"_s, u"c2"_s, {}, {}});

    const Broker::NodeDeparture departure = broker.removeNode(NodeOne);
    QCOMPARE(describe(departure.members),
             (QStringList{u"app-a presence-room u1 one"_s, u"app-b presence-lobby u4 four"_s}));
    QCOMPARE(departure.clients.size(), 1);
    QCOMPARE(departure.clients.first().client.client, u"c1"_s);
    QCOMPARE(departure.clients.first().channel, room);
    QCOMPARE(broker.remoteClients(AppA, room).size(), 1);
    QCOMPARE(broker.remoteClients(AppA, room).first().client, u"c2"_s);

    QCOMPARE(broker.interestedNodes(AppA, room), QList<NodeId>{NodeTwo});
    QVERIFY(broker.interestedNodes(AppB, lobby).isEmpty());
    QCOMPARE(broker.summary(AppA, room).subscriptionCount, 2);
    QCOMPARE(broker.summary(AppA, room).userCount, 2);
    QCOMPARE(userIds(broker.presenceMembers(AppA, room)), (QStringList{u"u2"_s, u"u3"_s}));
    QVERIFY(broker.presenceMembers(AppB, lobby).isEmpty());
    QVERIFY(broker.remoteMembersOf(NodeOne).isEmpty());
    QVERIFY(broker.remoteSubscriptionsOf(NodeOne).isEmpty());
    QVERIFY(broker.isSubscribed(1, room));

    const Broker::NodeDeparture again = broker.removeNode(NodeOne);
    QVERIFY2(again.members.isEmpty() && again.clients.isEmpty(), "a node is forgotten once");
    QVERIFY(broker.removeNode(u"never-seen"_s).members.isEmpty());
}

void tst_Broker::remoteShareOfANode()
{
    Broker broker;
    broker.setRemoteSubscriptions(NodeOne, AppA, u"news"_s, 3);
    broker.setRemoteSubscriptions(NodeTwo, AppA, u"news"_s, 1);
    broker.setRemoteSubscriptions(NodeOne, AppB, u"presence-room"_s, 1);
    (void)broker.addRemoteMember(NodeOne, AppB, u"presence-room"_s, member(u"u1"_s, "{}"_ba));
    (void)broker.addRemoteMember(NodeTwo, AppB, u"presence-room"_s, member(u"u2"_s, "{}"_ba));

    QList<QPair<QString, QPair<QString, int>>> subscriptions =
            broker.remoteSubscriptionsOf(NodeOne);
    std::sort(subscriptions.begin(), subscriptions.end());
    QCOMPARE(subscriptions,
             (QList<QPair<QString, QPair<QString, int>>>{{AppA, {u"news"_s, 3}},
                                                         {AppB, {u"presence-room"_s, 1}}}));
    QCOMPARE(describe(broker.remoteMembersOf(NodeOne)),
             QStringList{u"app-b presence-room u1 {}"_s});
    QCOMPARE(describe(broker.remoteMembersOf(NodeTwo)),
             QStringList{u"app-b presence-room u2 {}"_s});
    QVERIFY(broker.localSubscriptions().isEmpty());
    QVERIFY(broker.localMembers().isEmpty());
}

void tst_Broker::occupiedAndVacatedConsiderRemoteInterest()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.setRemoteSubscriptions(NodeOne, AppA, u"news"_s, 2);

    const SubscribeOutcome joined = broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);
    QCOMPARE(joined.status, SubscribeStatus::Subscribed);
    QVERIFY2(!joined.occupied, "node-1 has subscribers already");
    const UnsubscribeOutcome left = broker.unsubscribe(1, u"news"_s);
    QVERIFY(left.wasSubscribed);
    QVERIFY2(!left.vacated, "node-1 still has subscribers");
    QVERIFY(!broker.channel(AppA, u"news"_s));
    QVERIFY(broker.summary(AppA, u"news"_s).occupied);

    broker.setRemoteSubscriptions(NodeOne, AppA, u"news"_s, 0);
    QVERIFY(!broker.summary(AppA, u"news"_s).occupied);
    QVERIFY(broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit).occupied);

    // Interest that arrives while a local subscriber is in keeps the channel occupied after it.
    broker.setRemoteSubscriptions(NodeTwo, AppA, u"news"_s, 1);
    QVERIFY(!broker.unsubscribe(1, u"news"_s).vacated);
    broker.setRemoteSubscriptions(NodeTwo, AppA, u"news"_s, 0);
    QVERIFY(broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit).occupied);
    QVERIFY(broker.unsubscribe(1, u"news"_s).vacated);
}

void tst_Broker::presenceMemberLimitCountsRemoteMembers()
{
    Broker broker;
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    const QString room = u"presence-room"_s;
    constexpr int limit = 2;
    (void)broker.addRemoteMember(NodeOne, AppA, room, member(u"u1"_s));
    (void)broker.addRemoteMember(NodeTwo, AppA, room, member(u"u2"_s));

    const SubscribeOutcome full = broker.subscribe(1, room, member(u"u3"_s), limit);
    QCOMPARE(full.status, SubscribeStatus::PresenceFull);
    QVERIFY(!full.memberAdded);
    QVERIFY(!broker.isSubscribed(1, room));
    QVERIFY(!broker.channel(AppA, room));

    // A user the cluster already counts may join here too.
    const SubscribeOutcome known = broker.subscribe(2, room, member(u"u1"_s), limit);
    QCOMPARE(known.status, SubscribeStatus::Subscribed);
    QVERIFY(!known.memberAdded);
    QCOMPARE(broker.summary(AppA, room).userCount, 2);

    QVERIFY(broker.removeRemoteMember(NodeTwo, AppA, room, u"u2"_s));
    const SubscribeOutcome fits = broker.subscribe(1, room, member(u"u3"_s), limit);
    QCOMPARE(fits.status, SubscribeStatus::Subscribed);
    QVERIFY(fits.memberAdded);
    QCOMPARE(broker.summary(AppA, room).userCount, 2);
}

void tst_Broker::observerSeesLocalSubscriptionCounts()
{
    Broker broker;
    RecordingObserver observer;
    broker.setObserver(&observer);
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    broker.addConnection(3, AppB);
    broker.setRemoteSubscriptions(NodeOne, AppA, u"news"_s, 5);
    QCOMPARE(observer.take(), QStringList());

    (void)broker.subscribe(1, u"news"_s, std::nullopt, NoMemberLimit);
    QCOMPARE(observer.take(), QStringList{u"count app-a news 1"_s});
    (void)broker.subscribe(2, u"news"_s, std::nullopt, NoMemberLimit);
    QCOMPARE(observer.take(), QStringList{u"count app-a news 2"_s});
    (void)broker.subscribe(3, u"news"_s, std::nullopt, NoMemberLimit);
    QCOMPARE(observer.take(), QStringList{u"count app-b news 1"_s});

    (void)broker.unsubscribe(1, u"news"_s);
    QCOMPARE(observer.take(), QStringList{u"count app-a news 1"_s});
    (void)broker.removeConnection(2);
    QCOMPARE(observer.take(), QStringList{u"count app-a news 0"_s});
    (void)broker.unsubscribe(3, u"news"_s);
    QCOMPARE(observer.take(), QStringList{u"count app-b news 0"_s});
}

void tst_Broker::observerSeesFirstAndLastLocalConnectionOfAUser()
{
    Broker broker;
    RecordingObserver observer;
    broker.setObserver(&observer);
    for (ConnectionId id = 1; id <= 3; ++id) {
        broker.addConnection(id, AppA);
    }
    const QString room = u"presence-room"_s;
    // The local share changes even when a peer holds the user as well.
    (void)broker.addRemoteMember(NodeOne, AppA, room, member(u"u1"_s, "{}"_ba));

    (void)broker.subscribe(1, room, member(u"u1"_s, "{\"tab\":1}"_ba), NoMemberLimit);
    QCOMPARE(observer.take(), (QStringList{u"added app-a presence-room u1 {\"tab\":1}"_s,
                                           u"count app-a presence-room 1"_s}));
    (void)broker.subscribe(2, room, member(u"u1"_s, "{\"tab\":2}"_ba), NoMemberLimit);
    QCOMPARE(observer.take(), QStringList{u"count app-a presence-room 2"_s});
    (void)broker.subscribe(3, room, member(u"u2"_s), NoMemberLimit);
    QCOMPARE(observer.take(),
             (QStringList{u"added app-a presence-room u2 "_s, u"count app-a presence-room 3"_s}));

    (void)broker.unsubscribe(1, room);
    QCOMPARE(observer.take(), QStringList{u"count app-a presence-room 2"_s});
    (void)broker.unsubscribe(2, room);
    QCOMPARE(observer.take(),
             (QStringList{u"count app-a presence-room 1"_s, u"removed app-a presence-room u1"_s}));
    (void)broker.removeConnection(3);
    QCOMPARE(observer.take(),
             (QStringList{u"count app-a presence-room 0"_s, u"removed app-a presence-room u2"_s}));
}

void tst_Broker::observerIgnoresRemoteChangesAndRefusals()
{
    Broker broker;
    RecordingObserver observer;
    broker.setObserver(&observer);
    broker.addConnection(1, AppA);
    broker.addConnection(2, AppA);
    const QString room = u"presence-room"_s;
    (void)broker.subscribe(1, room, member(u"u1"_s), 1);
    QCOMPARE(observer.take().size(), 2);

    (void)broker.subscribe(1, room, member(u"u1"_s), 1);
    QVERIFY2(observer.take().isEmpty(), "already subscribed");
    QCOMPARE(broker.subscribe(2, room, member(u"u2"_s), 1).status, SubscribeStatus::PresenceFull);
    QVERIFY2(observer.take().isEmpty(), "refused as full");
    (void)broker.unsubscribe(2, room);
    QVERIFY2(observer.take().isEmpty(), "not subscribed");

    broker.setRemoteSubscriptions(NodeOne, AppA, room, 4);
    (void)broker.addRemoteMember(NodeOne, AppA, room, member(u"u3"_s));
    (void)broker.removeRemoteMember(NodeOne, AppA, room, u"u3"_s);
    (void)broker.addRemoteMember(NodeOne, AppA, room, member(u"u4"_s));
    (void)broker.removeNode(NodeOne);
    QVERIFY2(observer.take().isEmpty(), "peers' shares are not this node's share");
}

QTEST_GUILESS_MAIN(tst_Broker)
#include "tst_broker.moc"
