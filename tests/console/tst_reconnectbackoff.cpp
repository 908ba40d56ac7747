// Reconnection delays: doubling from the initial step to the cap, jittered within the upper
// half of each step, back to the start after reset().

#include <console/admin/reconnectbackoff.h>

#include <QTest>

using namespace DNotifier::Console;
using namespace std::chrono_literals;

class tst_ReconnectBackoff final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void doublesUpToTheCap();
    void jitterStaysInTheUpperHalf();
    void resetStartsOver();
};

void tst_ReconnectBackoff::doublesUpToTheCap()
{
    QRandomGenerator random(1);
    ReconnectBackoff backoff(500ms, 30s, &random);
    QList<qint64> steps;
    for (int i = 0; i < 10; ++i) {
        steps.append(backoff.currentStep().count());
        backoff.next();
    }
    QCOMPARE(steps,
             (QList<qint64>{500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000}));
}

void tst_ReconnectBackoff::jitterStaysInTheUpperHalf()
{
    QRandomGenerator random(42);
    ReconnectBackoff backoff(500ms, 30s, &random);
    QSet<qint64> firstDelays;
    for (int i = 0; i < 200; ++i) {
        backoff.reset();
        const qint64 delay = backoff.next().count();
        QVERIFY2(delay >= 250 && delay <= 500, qPrintable(QString::number(delay)));
        firstDelays.insert(delay);
    }
    // Jitter means the delays differ; 200 draws from 251 values give far more than 10.
    QVERIFY(firstDelays.size() > 10);
    for (int i = 0; i < 20; ++i) {
        const qint64 step = backoff.currentStep().count();
        const qint64 delay = backoff.next().count();
        QVERIFY(delay >= step / 2 && delay <= step);
        QVERIFY(delay <= 30000);
    }
}

void tst_ReconnectBackoff::resetStartsOver()
{
    QRandomGenerator random(7);
    ReconnectBackoff backoff(100ms, 1s, &random);
    backoff.next();
    backoff.next();
    QCOMPARE(backoff.currentStep().count(), 400);
    backoff.reset();
    QCOMPARE(backoff.currentStep().count(), 100);
}

QTEST_GUILESS_MAIN(tst_ReconnectBackoff)
#include "tst_reconnectbackoff.moc"
