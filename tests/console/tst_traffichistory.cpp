// The console's traffic history: parsing samples and keeping only the last window of them.

#include <console/models/traffichistory.h>

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

namespace {

TrafficSample sampleAt(qint64 at, qint64 connections = 0)
{
    TrafficSample sample;
    sample.at = at;
    sample.total.connections = connections;
    return sample;
}

} // namespace

class tst_TrafficHistory final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesASample();
    void rejectsASampleWithoutTime();
    void keepsTenMinutesByDefault();
    void trimsWhenTheWindowShrinks();
    void startsOverWhenTimeGoesBack();
    void listsTheNodesSeen();
};

void tst_TrafficHistory::parsesASample()
{
    const QJsonObject data{{u"at"_s, qint64(1796000000000)},
                           {u"total"_s, QJsonObject{{u"connections"_s, 3},
                                                    {u"messages_in"_s, 10},
                                                    {u"messages_out"_s, 30},
                                                    {u"bytes_in"_s, 1500},
                                                    {u"bytes_out"_s, 4200}}},
                           {u"nodes"_s, QJsonArray{QJsonObject{{u"id"_s, u"n1"_s},
                                                               {u"connections"_s, 2},
                                                               {u"messages_in"_s, 4}},
                                                   QJsonObject{{u"connections"_s, 1}}}}};
    const std::optional<TrafficSample> sample = TrafficSample::fromJson(data);
    QVERIFY(sample);
    QCOMPARE(sample->at, qint64(1796000000000));
    QCOMPARE(sample->total, (TrafficFigures{3, 10, 30, 1500, 4200}));
    // The entry without an id cannot be charted and is left out.
    QCOMPARE(sample->nodes.size(), 1);
    QCOMPARE(sample->nodes.value(u"n1"_s), (TrafficFigures{2, 4, 0, 0, 0}));
}

void tst_TrafficHistory::rejectsASampleWithoutTime()
{
    QVERIFY(!TrafficSample::fromJson({{u"total"_s, QJsonObject{}}}));
    QVERIFY(!TrafficSample::fromJson({{u"at"_s, u"soon"_s}}));
}

void tst_TrafficHistory::keepsTenMinutesByDefault()
{
    TrafficHistory history;
    QCOMPARE(history.window(), 10min);
    const qint64 start = 1796000000000;
    // Eleven minutes of one sample per second.
    for (qint64 second = 0; second <= 660; ++second) {
        history.append(sampleAt(start + second * 1000, second));
    }
    QCOMPARE(history.samples().size(), 601);
    QCOMPARE(history.samples().first().at, start + 60 * 1000);
    QCOMPARE(history.samples().first().total.connections, 60);
    QCOMPARE(history.samples().last().at, start + 660 * 1000);
}

void tst_TrafficHistory::trimsWhenTheWindowShrinks()
{
    TrafficHistory history;
    for (qint64 second = 0; second < 10; ++second) {
        history.append(sampleAt(1000 * second + 1));
    }
    history.setWindow(3s);
    QCOMPARE(history.samples().size(), 4);
    QCOMPARE(history.samples().first().at, 6001);
}

void tst_TrafficHistory::startsOverWhenTimeGoesBack()
{
    TrafficHistory history;
    QSignalSpy cleared(&history, &TrafficHistory::cleared);
    QSignalSpy appended(&history, &TrafficHistory::sampleAppended);
    history.append(sampleAt(5000));
    history.append(sampleAt(6000));
    history.append(sampleAt(6000));
    QCOMPARE(cleared.size(), 0);
    history.append(sampleAt(2000));
    QCOMPARE(cleared.size(), 1);
    QCOMPARE(history.samples().size(), 1);
    QCOMPARE(history.samples().first().at, 2000);
    QCOMPARE(appended.size(), 4);
}

void tst_TrafficHistory::listsTheNodesSeen()
{
    TrafficHistory history;
    TrafficSample first = sampleAt(1000);
    first.nodes.insert(u"n2"_s, {});
    TrafficSample second = sampleAt(2000);
    second.nodes.insert(u"n1"_s, {});
    second.nodes.insert(u"n2"_s, {});
    history.append(first);
    history.append(second);
    QCOMPARE(history.nodeIds(), (QStringList{u"n1"_s, u"n2"_s}));
    // Only the newest sample is left, and it names both nodes.
    history.setWindow(0ms);
    QCOMPARE(history.nodeIds(), (QStringList{u"n1"_s, u"n2"_s}));
    history.clear();
    QVERIFY(history.nodeIds().isEmpty());
}

QTEST_GUILESS_MAIN(tst_TrafficHistory)
#include "tst_traffichistory.moc"
