#include <node/cluster/membertable.h>

#include <QTest>

#include <algorithm>

using namespace DNotifier::Cluster;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString SelfId = u"node-self"_s;
const QString PeerId = u"node-peer"_s;
const QString OtherId = u"node-other"_s;

constexpr quint64 SelfIncarnation = 3;
constexpr quint64 PeerIncarnation = 5;

MemberRecord record(const QString &id, quint64 incarnation, MemberState state)
{
    return MemberRecord{id,           id + u"-name"_s, id + u".example:7002"_s,
                        u"eu-west"_s, incarnation,     state};
}

MemberRecord selfRecord()
{
    return record(SelfId, SelfIncarnation, MemberState::Alive);
}

QStringList idsOf(const QList<MemberRecord> &records)
{
    QStringList ids;
    for (const MemberRecord &member : records) {
        ids.append(member.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

// A table that knows the peer at PeerIncarnation in the given state, reached through apply()
// alone: the peer is first heard of alive, then in that state at the same incarnation.
MemberTable tableKnowingPeerAs(MemberState state)
{
    MemberTable table(selfRecord());
    (void)table.apply(record(PeerId, PeerIncarnation, MemberState::Alive));
    if (state != MemberState::Alive) {
        (void)table.apply(record(PeerId, PeerIncarnation, state));
    }
    return table;
}

} // namespace

namespace DNotifier::Cluster {

// Failure messages name the record instead of printing nothing.
char *toString(const MemberRecord &member)
{
    const QString text =
            u"{id=%1 name=%2 address=%3 region=%4 incarnation=%5 state=%6 started=%7}"_s
                    .arg(member.id, member.name, member.address, member.region)
                    .arg(member.incarnation)
                    .arg(int(member.state))
                    .arg(member.startedMs);
    return qstrdup(text.toUtf8().constData());
}

char *toString(const std::optional<MemberRecord> &member)
{
    return member ? toString(*member) : qstrdup("nullopt");
}

char *toString(MemberState state)
{
    return QTest::toString(int(state));
}

} // namespace DNotifier::Cluster

Q_DECLARE_METATYPE(DNotifier::Cluster::MemberState)

class tst_MemberTable final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startsWithOnlyItself();
    void unknownMemberIsInserted_data();
    void unknownMemberIsInserted();
    void unknownGoneMemberIsIgnored_data();
    void unknownGoneMemberIsIgnored();
    void higherIncarnationWins_data();
    void higherIncarnationWins();
    void lowerIncarnationIsIgnored_data();
    void lowerIncarnationIsIgnored();
    void sameIncarnationGraverStateWins_data();
    void sameIncarnationGraverStateWins();
    void deadMemberResurrectsAtHigherIncarnation();
    void suspectOnlyFromAlive_data();
    void suspectOnlyFromAlive();
    void declareDeadOnlyFromLive_data();
    void declareDeadOnlyFromLive();
    void verdictsLeaveSelfAlone();
    void rumourAboutSelfIsRefuted_data();
    void rumourAboutSelfIsRefuted();
    void staleRumourAboutSelfIsIgnored_data();
    void staleRumourAboutSelfIsIgnored();
    void aliveRecordOfSelfIsNotARumour();
    void refutationOutranksTheRumourElsewhere();
    void nothingIsRefutedAfterLeaving();
    void leaveRecordReplacesAliveRecordElsewhere();
    void liveExcludesGoneMembersAndSelf();
    void holdsAtMostMaxMembers();
    void rumourAtTheLargestIncarnationIsNotRefuted();
    void forgetDropsOnlyGoneMembers();
};

void tst_MemberTable::startsWithOnlyItself()
{
    const MemberTable table(selfRecord());
    QCOMPARE(table.self(), selfRecord());
    QCOMPARE(table.find(SelfId), selfRecord());
    QVERIFY(!table.find(PeerId));
    QCOMPARE(table.all(), QList<MemberRecord>{selfRecord()});
    QVERIFY(table.live().isEmpty());
}

void tst_MemberTable::unknownMemberIsInserted_data()
{
    QTest::addColumn<MemberState>("state");
    QTest::newRow("an alive member is added") << MemberState::Alive;
    QTest::newRow("a suspect member is added, since it may still be up") << MemberState::Suspect;
}

void tst_MemberTable::unknownMemberIsInserted()
{
    QFETCH(MemberState, state);
    MemberTable table(selfRecord());
    const MemberRecord heard = record(PeerId, PeerIncarnation, state);

    QCOMPARE(table.apply(heard), heard);
    QCOMPARE(table.find(PeerId), heard);
    QCOMPARE(table.live(), QList<MemberRecord>{heard});
    QCOMPARE(idsOf(table.all()), (QStringList{PeerId, SelfId}));

    QVERIFY2(!table.apply(heard), "the same record again is old news");
}

void tst_MemberTable::unknownGoneMemberIsIgnored_data()
{
    QTest::addColumn<MemberState>("state");
    QTest::newRow("a dead member never heard of is not added") << MemberState::Dead;
    QTest::newRow("a member that left and was never heard of is not added") << MemberState::Left;
}

void tst_MemberTable::unknownGoneMemberIsIgnored()
{
    QFETCH(MemberState, state);
    MemberTable table(selfRecord());

    QVERIFY(!table.apply(record(PeerId, PeerIncarnation, state)));
    QVERIFY(!table.find(PeerId));
    QCOMPARE(table.all(), QList<MemberRecord>{selfRecord()});
    QVERIFY(table.live().isEmpty());
}

void tst_MemberTable::higherIncarnationWins_data()
{
    QTest::addColumn<MemberState>("known");
    QTest::addColumn<MemberState>("heard");

    const QList<QPair<MemberState, const char *>> states{
            {MemberState::Alive, "alive"},
            {MemberState::Suspect, "suspect"},
            {MemberState::Dead, "dead"},
            {MemberState::Left, "left"},
    };
    for (const auto &[known, knownName] : states) {
        for (const auto &[heard, heardName] : states) {
            QTest::addRow("%s at a higher incarnation replaces %s", heardName, knownName)
                    << known << heard;
        }
    }
}

void tst_MemberTable::higherIncarnationWins()
{
    QFETCH(MemberState, known);
    QFETCH(MemberState, heard);
    MemberTable table = tableKnowingPeerAs(known);
    QCOMPARE(table.find(PeerId)->state, known);

    MemberRecord newer = record(PeerId, PeerIncarnation + 1, heard);
    newer.address = u"10.1.2.3:7002"_s;
    newer.name = u"renamed"_s;

    QCOMPARE(table.apply(newer), newer);
    QCOMPARE(table.find(PeerId), newer);
}

void tst_MemberTable::lowerIncarnationIsIgnored_data()
{
    QTest::addColumn<MemberState>("known");
    QTest::addColumn<MemberState>("heard");

    QTest::newRow("a dead record of an older incarnation leaves an alive member alive")
            << MemberState::Alive << MemberState::Dead;
    QTest::newRow("a suspect record of an older incarnation leaves an alive member alive")
            << MemberState::Alive << MemberState::Suspect;
    QTest::newRow("an alive record of an older incarnation leaves a dead member dead")
            << MemberState::Dead << MemberState::Alive;
    QTest::newRow("a left record of an older incarnation leaves a suspect member suspect")
            << MemberState::Suspect << MemberState::Left;
}

void tst_MemberTable::lowerIncarnationIsIgnored()
{
    QFETCH(MemberState, known);
    QFETCH(MemberState, heard);
    MemberTable table = tableKnowingPeerAs(known);
    const MemberRecord before = *table.find(PeerId);

    QVERIFY(!table.apply(record(PeerId, PeerIncarnation - 1, heard)));
    QCOMPARE(table.find(PeerId), before);
}

void tst_MemberTable::sameIncarnationGraverStateWins_data()
{
    QTest::addColumn<MemberState>("known");
    QTest::addColumn<MemberState>("heard");
    QTest::addColumn<bool>("replaces");

    QTest::newRow("suspect beats alive") << MemberState::Alive << MemberState::Suspect << true;
    QTest::newRow("dead beats alive") << MemberState::Alive << MemberState::Dead << true;
    QTest::newRow("left beats alive") << MemberState::Alive << MemberState::Left << true;
    QTest::newRow("dead beats suspect") << MemberState::Suspect << MemberState::Dead << true;
    QTest::newRow("left beats suspect") << MemberState::Suspect << MemberState::Left << true;
    QTest::newRow("alive does not beat suspect")
            << MemberState::Suspect << MemberState::Alive << false;
    QTest::newRow("alive does not beat dead") << MemberState::Dead << MemberState::Alive << false;
    QTest::newRow("suspect does not beat dead")
            << MemberState::Dead << MemberState::Suspect << false;
    QTest::newRow("alive does not beat left") << MemberState::Left << MemberState::Alive << false;
    QTest::newRow("suspect does not beat left")
            << MemberState::Left << MemberState::Suspect << false;
    QTest::newRow("alive again is old news") << MemberState::Alive << MemberState::Alive << false;
    QTest::newRow("suspect again is old news")
            << MemberState::Suspect << MemberState::Suspect << false;
    QTest::newRow("dead again is old news") << MemberState::Dead << MemberState::Dead << false;
}

void tst_MemberTable::sameIncarnationGraverStateWins()
{
    QFETCH(MemberState, known);
    QFETCH(MemberState, heard);
    QFETCH(bool, replaces);
    MemberTable table = tableKnowingPeerAs(known);
    QCOMPARE(table.find(PeerId)->state, known);
    const MemberRecord heardRecord = record(PeerId, PeerIncarnation, heard);

    const std::optional<MemberRecord> changed = table.apply(heardRecord);
    if (replaces) {
        QCOMPARE(changed, heardRecord);
        QCOMPARE(table.find(PeerId), heardRecord);
    } else {
        QVERIFY(!changed);
        QCOMPARE(table.find(PeerId), record(PeerId, PeerIncarnation, known));
    }
}

void tst_MemberTable::deadMemberResurrectsAtHigherIncarnation()
{
    MemberTable table(selfRecord());
    (void)table.apply(record(PeerId, PeerIncarnation, MemberState::Alive));
    QCOMPARE(table.declareDead(PeerId), record(PeerId, PeerIncarnation, MemberState::Dead));
    QVERIFY(table.live().isEmpty());

    QVERIFY(!table.apply(record(PeerId, PeerIncarnation, MemberState::Alive)));
    QCOMPARE(table.find(PeerId)->state, MemberState::Dead);

    const MemberRecord back = record(PeerId, PeerIncarnation + 1, MemberState::Alive);
    QCOMPARE(table.apply(back), back);
    QCOMPARE(table.find(PeerId), back);
    QCOMPARE(table.live(), QList<MemberRecord>{back});
}

void tst_MemberTable::suspectOnlyFromAlive_data()
{
    QTest::addColumn<MemberState>("known");
    QTest::addColumn<bool>("allowed");

    QTest::newRow("an alive member becomes suspect") << MemberState::Alive << true;
    QTest::newRow("a suspect member is not suspected again") << MemberState::Suspect << false;
    QTest::newRow("a dead member is not suspected") << MemberState::Dead << false;
    QTest::newRow("a member that left is not suspected") << MemberState::Left << false;
}

void tst_MemberTable::suspectOnlyFromAlive()
{
    QFETCH(MemberState, known);
    QFETCH(bool, allowed);
    MemberTable table = tableKnowingPeerAs(known);

    const std::optional<MemberRecord> verdict = table.suspect(PeerId);
    if (allowed) {
        const MemberRecord expected = record(PeerId, PeerIncarnation, MemberState::Suspect);
        QCOMPARE(verdict, expected);
        QCOMPARE(table.find(PeerId), expected);
    } else {
        QVERIFY(!verdict);
        QCOMPARE(table.find(PeerId), record(PeerId, PeerIncarnation, known));
    }
    QVERIFY2(!table.suspect(OtherId), "a member never heard of cannot be suspected");
    QVERIFY(!table.find(OtherId));
}

void tst_MemberTable::declareDeadOnlyFromLive_data()
{
    QTest::addColumn<MemberState>("known");
    QTest::addColumn<bool>("allowed");

    QTest::newRow("an alive member is declared dead") << MemberState::Alive << true;
    QTest::newRow("a suspect member is declared dead") << MemberState::Suspect << true;
    QTest::newRow("a dead member is not declared dead again") << MemberState::Dead << false;
    QTest::newRow("a member that left is not declared dead") << MemberState::Left << false;
}

void tst_MemberTable::declareDeadOnlyFromLive()
{
    QFETCH(MemberState, known);
    QFETCH(bool, allowed);
    MemberTable table = tableKnowingPeerAs(known);

    const std::optional<MemberRecord> verdict = table.declareDead(PeerId);
    if (allowed) {
        const MemberRecord expected = record(PeerId, PeerIncarnation, MemberState::Dead);
        QCOMPARE(verdict, expected);
        QCOMPARE(table.find(PeerId), expected);
        QVERIFY(table.live().isEmpty());
    } else {
        QVERIFY(!verdict);
        QCOMPARE(table.find(PeerId), record(PeerId, PeerIncarnation, known));
    }
    QVERIFY2(!table.declareDead(OtherId), "a member never heard of cannot be declared dead");
    QVERIFY(!table.find(OtherId));
}

void tst_MemberTable::verdictsLeaveSelfAlone()
{
    MemberTable table(selfRecord());
    QVERIFY(!table.suspect(SelfId));
    QVERIFY(!table.declareDead(SelfId));
    QCOMPARE(table.self(), selfRecord());
}

void tst_MemberTable::rumourAboutSelfIsRefuted_data()
{
    QTest::addColumn<MemberState>("state");
    QTest::addColumn<quint64>("incarnation");

    QTest::newRow("suspect at the own incarnation")
            << MemberState::Suspect << quint64(SelfIncarnation);
    QTest::newRow("suspect above the own incarnation")
            << MemberState::Suspect << quint64(SelfIncarnation + 4);
    QTest::newRow("dead at the own incarnation") << MemberState::Dead << quint64(SelfIncarnation);
    QTest::newRow("dead above the own incarnation")
            << MemberState::Dead << quint64(SelfIncarnation + 1);
}

void tst_MemberTable::rumourAboutSelfIsRefuted()
{
    QFETCH(MemberState, state);
    QFETCH(quint64, incarnation);
    MemberTable table(selfRecord());

    MemberRecord expected = selfRecord();
    expected.incarnation = incarnation + 1;
    QCOMPARE(table.apply(record(SelfId, incarnation, state)), expected);
    QCOMPARE(table.self(), expected);
    QCOMPARE(table.find(SelfId), expected);
    QVERIFY(table.live().isEmpty());

    QVERIFY2(!table.apply(record(SelfId, incarnation, state)),
             "the same rumour again is older than the refutation");
    QCOMPARE(table.self(), expected);
}

void tst_MemberTable::staleRumourAboutSelfIsIgnored_data()
{
    QTest::addColumn<MemberState>("state");
    QTest::newRow("suspect below the own incarnation") << MemberState::Suspect;
    QTest::newRow("dead below the own incarnation") << MemberState::Dead;
}

void tst_MemberTable::staleRumourAboutSelfIsIgnored()
{
    QFETCH(MemberState, state);
    MemberTable table(selfRecord());

    QVERIFY(!table.apply(record(SelfId, SelfIncarnation - 1, state)));
    QCOMPARE(table.self(), selfRecord());
}

void tst_MemberTable::aliveRecordOfSelfIsNotARumour()
{
    MemberTable table(selfRecord());
    QVERIFY(!table.apply(record(SelfId, SelfIncarnation, MemberState::Alive)));
    QVERIFY(!table.apply(record(SelfId, SelfIncarnation - 1, MemberState::Alive)));
    QCOMPARE(table.self(), selfRecord());
}

void tst_MemberTable::refutationOutranksTheRumourElsewhere()
{
    // The peer that spread the rumour must take the refutation: it is what apply() returns
    // for the caller to announce.
    MemberTable self(selfRecord());
    MemberTable peer(record(PeerId, PeerIncarnation, MemberState::Alive));
    (void)peer.apply(selfRecord());
    const std::optional<MemberRecord> rumour = peer.suspect(SelfId);
    QCOMPARE(rumour, record(SelfId, SelfIncarnation, MemberState::Suspect));

    const std::optional<MemberRecord> refutation = self.apply(*rumour);
    QVERIFY(refutation);
    QCOMPARE(peer.apply(*refutation), record(SelfId, SelfIncarnation + 1, MemberState::Alive));
    QCOMPARE(peer.find(SelfId)->state, MemberState::Alive);
}

void tst_MemberTable::nothingIsRefutedAfterLeaving()
{
    MemberTable table(selfRecord());
    const MemberRecord farewell = table.leave();
    QCOMPARE(farewell.id, SelfId);
    QCOMPARE(farewell.state, MemberState::Left);
    QCOMPARE(table.self(), farewell);

    QVERIFY(!table.apply(record(SelfId, farewell.incarnation, MemberState::Suspect)));
    QVERIFY(!table.apply(record(SelfId, farewell.incarnation + 7, MemberState::Dead)));
    QVERIFY(!table.apply(record(SelfId, farewell.incarnation + 7, MemberState::Alive)));
    QCOMPARE(table.self(), farewell);
}

void tst_MemberTable::leaveRecordReplacesAliveRecordElsewhere()
{
    MemberTable leaving(selfRecord());
    MemberTable peer(record(PeerId, PeerIncarnation, MemberState::Alive));
    (void)peer.apply(selfRecord());
    QCOMPARE(peer.live(), QList<MemberRecord>{selfRecord()});

    const MemberRecord farewell = leaving.leave();
    QCOMPARE(peer.apply(farewell), farewell);
    QCOMPARE(peer.find(SelfId)->state, MemberState::Left);
    QVERIFY(peer.live().isEmpty());
}

void tst_MemberTable::liveExcludesGoneMembersAndSelf()
{
    MemberTable table(selfRecord());
    const QStringList ids{u"alive"_s, u"suspect"_s, u"dead"_s, u"left"_s};
    for (const QString &id : ids) {
        (void)table.apply(record(id, 1, MemberState::Alive));
    }
    QVERIFY(table.suspect(u"suspect"_s));
    QVERIFY(table.declareDead(u"dead"_s));
    QVERIFY(table.apply(record(u"left"_s, 1, MemberState::Left)));

    QCOMPARE(idsOf(table.live()), (QStringList{u"alive"_s, u"suspect"_s}));
    QCOMPARE(idsOf(table.all()),
             (QStringList{u"alive"_s, u"dead"_s, u"left"_s, SelfId, u"suspect"_s}));

    QVERIFY(isLive(MemberState::Alive));
    QVERIFY(isLive(MemberState::Suspect));
    QVERIFY(!isLive(MemberState::Dead));
    QVERIFY(!isLive(MemberState::Left));
}

void tst_MemberTable::holdsAtMostMaxMembers()
{
    MemberTable table(selfRecord());
    for (qsizetype i = 0; i < MaxMembers; ++i) {
        QVERIFY(table.apply(record(u"m%1"_s.arg(i), 0, MemberState::Alive)));
    }
    QVERIFY(!table.apply(record(u"one-too-many"_s, 0, MemberState::Alive)));
    QCOMPARE(table.all().size(), MaxMembers + 1);
    // Known members still change state.
    QVERIFY(table.apply(record(u"m0"_s, 1, MemberState::Suspect)));
}

void tst_MemberTable::rumourAtTheLargestIncarnationIsNotRefuted()
{
    MemberTable table(selfRecord());
    QVERIFY(!table.apply(record(SelfId, MaxIncarnation, MemberState::Dead)));
    QCOMPARE(table.self().incarnation, SelfIncarnation);
    QCOMPARE(table.self().state, MemberState::Alive);
    // One below it is refuted, to exactly the largest.
    const auto refuted = table.apply(record(SelfId, MaxIncarnation - 1, MemberState::Suspect));
    QVERIFY(refuted);
    QCOMPARE(refuted->incarnation, MaxIncarnation);

    // Nor is such a rumour about another member taken in: that member could not refute it.
    table.apply(record(PeerId, 0, MemberState::Alive));
    QVERIFY(!table.apply(record(PeerId, MaxIncarnation, MemberState::Dead)));
    QVERIFY(!table.apply(record(PeerId, MaxIncarnation, MemberState::Suspect)));
    QCOMPARE(table.find(PeerId)->state, MemberState::Alive);
    QVERIFY(table.apply(record(PeerId, MaxIncarnation, MemberState::Alive)));
}

void tst_MemberTable::forgetDropsOnlyGoneMembers()
{
    MemberTable table(selfRecord());
    table.apply(record(PeerId, 0, MemberState::Alive));
    table.apply(record(OtherId, 0, MemberState::Alive));
    table.declareDead(OtherId);
    table.forget(PeerId);
    table.forget(OtherId);
    table.forget(SelfId);
    QCOMPARE(idsOf(table.all()), (QStringList{PeerId, SelfId}));
}

QTEST_GUILESS_MAIN(tst_MemberTable)
#include "tst_membertable.moc"
