#include <node/broker/broker.h>
#include <node/broker/history.h>

#include <QTest>

using namespace DNotifier::Broker;
using namespace Qt::Literals::StringLiterals;

class tst_History final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void offsetsRiseFromOne();
    void keepsOnlyTheNewest();
    void recovery_data();
    void recovery();
    void latestIsOldestFirst();
    void expiresByAge();
    void brokerStampsOffsetsAndKeepsTheEpoch();
    void idleHistoriesAreForgotten();
    void epochsDiffer();
};

namespace {

Publication publication(const QString &channel, const QByteArray &data, qint64 createdMs = 0)
{
    Publication p;
    p.channel = channel;
    p.data = data;
    p.createdMs = createdMs;
    return p;
}

QList<quint64> offsetsOf(const QList<Publication> &publications)
{
    QList<quint64> offsets;
    for (const Publication &p : publications) {
        offsets.append(p.offset);
    }
    return offsets;
}

// A stream holding offsets 1..published, of which the newest `kept` remain.
HistoryStream streamWith(int published, int kept)
{
    HistoryStream stream(u"E1"_s);
    for (int i = 1; i <= published; ++i) {
        stream.append(publication(u"c"_s, QByteArray::number(i)), kept);
    }
    return stream;
}

} // namespace

void tst_History::offsetsRiseFromOne()
{
    HistoryStream stream(u"E1"_s);
    QCOMPARE(stream.top(), quint64(0));
    QCOMPARE(stream.append(publication(u"c"_s, "a"), 10), quint64(1));
    QCOMPARE(stream.append(publication(u"c"_s, "b"), 10), quint64(2));
    QCOMPARE(stream.top(), quint64(2));
    QCOMPARE(stream.epoch(), u"E1"_s);
}

void tst_History::keepsOnlyTheNewest()
{
    const HistoryStream stream = streamWith(7, 3);
    QCOMPARE(stream.size(), 3);
    QCOMPARE(offsetsOf(stream.latest(10)), QList<quint64>({5, 6, 7}));
    QCOMPARE(stream.top(), quint64(7));
}

void tst_History::recovery_data()
{
    QTest::addColumn<quint64>("since");
    QTest::addColumn<QString>("epoch");
    QTest::addColumn<bool>("recovered");
    QTest::addColumn<QList<quint64>>("missed");

    // The stream has published 1..7 and keeps 5..7.
    QTest::newRow("a client at the top misses nothing")
            << quint64(7) << u"E1"_s << true << QList<quint64>();
    QTest::newRow("a client just behind the kept range gets all of it")
            << quint64(4) << u"E1"_s << true << QList<quint64>({5, 6, 7});
    QTest::newRow("a client in the middle gets the rest")
            << quint64(5) << u"E1"_s << true << QList<quint64>({6, 7});
    QTest::newRow("a client further back cannot recover")
            << quint64(3) << u"E1"_s << false << QList<quint64>();
    QTest::newRow("a client from offset 0 cannot recover a trimmed stream")
            << quint64(0) << u"E1"_s << false << QList<quint64>();
    QTest::newRow("another epoch cannot recover")
            << quint64(7) << u"E0"_s << false << QList<quint64>();
    QTest::newRow("an offset beyond the top cannot recover")
            << quint64(9) << u"E1"_s << false << QList<quint64>();
}

void tst_History::recovery()
{
    QFETCH(quint64, since);
    QFETCH(QString, epoch);
    QFETCH(bool, recovered);
    QFETCH(QList<quint64>, missed);

    const HistoryStream stream = streamWith(7, 3);
    const auto result = stream.after({since, epoch});
    QCOMPARE(result.has_value(), recovered);
    if (recovered) {
        QCOMPARE(offsetsOf(*result), missed);
    }
}

void tst_History::latestIsOldestFirst()
{
    const HistoryStream stream = streamWith(5, 10);
    QCOMPARE(offsetsOf(stream.latest(2)), QList<quint64>({4, 5}));
    QCOMPARE(offsetsOf(stream.latest(0)), QList<quint64>());
    QCOMPARE(stream.latest(10).first().data, QByteArray("1"));
}

void tst_History::expiresByAge()
{
    HistoryStream stream(u"E1"_s);
    stream.append(publication(u"c"_s, "old", 1000), 10);
    stream.append(publication(u"c"_s, "new", 5000), 10);
    stream.expire(6500, 2000);
    QCOMPARE(offsetsOf(stream.latest(10)), QList<quint64>({2}));
    QVERIFY(!stream.after({0, u"E1"_s}).has_value());
    QCOMPARE(offsetsOf(*stream.after({1, u"E1"_s})), QList<quint64>({2}));
}

void tst_History::brokerStampsOffsetsAndKeepsTheEpoch()
{
    Broker broker;
    const Publication first =
            broker.appendToHistory(u"1"_s, publication(u"news"_s, "a"), 10, 60'000, 1000);
    const Publication second =
            broker.appendToHistory(u"1"_s, publication(u"news"_s, "b"), 10, 60'000, 2000);
    QCOMPARE(first.offset, quint64(1));
    QCOMPARE(second.offset, quint64(2));
    QCOMPARE(second.createdMs, qint64(2000));
    const HistoryStream &stream = broker.stream(u"1"_s, u"news"_s, 3000, 60'000);
    QCOMPARE(stream.top(), quint64(2));
    QCOMPARE(broker.stream(u"1"_s, u"news"_s, 3000, 60'000).epoch(), stream.epoch());
    QCOMPARE(broker.stream(u"2"_s, u"news"_s, 3000, 60'000).top(), quint64(0));
}

void tst_History::idleHistoriesAreForgotten()
{
    Broker broker;
    broker.addConnection(7, u"1"_s);
    QCOMPARE(broker.subscribe(7, u"busy"_s, std::nullopt, 100).status, SubscribeStatus::Subscribed);
    broker.appendToHistory(u"1"_s, publication(u"busy"_s, "a"), 10, 1000, 1000);
    broker.appendToHistory(u"1"_s, publication(u"idle"_s, "a"), 10, 1000, 1000);
    broker.appendToHistory(u"1"_s, publication(u"fresh"_s, "a"), 10, 1000, 9500);
    broker.appendToHistory(u"1"_s, publication(u"recent"_s, "a"), 10, 1000, 8000);
    const QString idleEpoch = broker.stream(u"1"_s, u"idle"_s, 1000, 1000).epoch();
    const QString busyEpoch = broker.stream(u"1"_s, u"busy"_s, 1000, 1000).epoch();
    const QString freshEpoch = broker.stream(u"1"_s, u"fresh"_s, 9500, 1000).epoch();
    const QString recentEpoch = broker.stream(u"1"_s, u"recent"_s, 8000, 1000).epoch();

    broker.dropIdleHistories(10'000, 5000,
                             [](const QString &, const QString &) { return qint64(1000); });

    // The idle stream was forgotten, so asking again starts a new one.
    QVERIFY(broker.stream(u"1"_s, u"idle"_s, 10'000, 1000).epoch() != idleEpoch);
    QCOMPARE(broker.stream(u"1"_s, u"busy"_s, 10'000, 1000).epoch(), busyEpoch);
    QCOMPARE(broker.stream(u"1"_s, u"fresh"_s, 10'000, 1000).epoch(), freshEpoch);
    // Emptied by its time to live, but appended to within the keep time: epoch and top stay.
    const HistoryStream &recent = broker.stream(u"1"_s, u"recent"_s, 10'000, 1000);
    QVERIFY(recent.isEmpty());
    QCOMPARE(recent.epoch(), recentEpoch);
    QCOMPARE(recent.top(), quint64(1));
}

void tst_History::epochsDiffer()
{
    QSet<QString> epochs;
    for (int i = 0; i < 100; ++i) {
        const QString epoch = HistoryStream::newEpoch();
        QCOMPARE(epoch.size(), 8);
        epochs.insert(epoch);
    }
    QCOMPARE(epochs.size(), 100);
}

QTEST_GUILESS_MAIN(tst_History)
#include "tst_history.moc"
