// The live tail of a channel: publications in order, a cap, pause and resume, drop counts.

#include <console/models/tailmodel.h>

#include <QAbstractItemModelTester>
#include <QTest>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject publication(int n)
{
    return {{u"at"_s, qint64(1796000000000) + n},
            {u"event"_s, u"e%1"_s.arg(n)},
            {u"data"_s, u"{\"n\":%1}"_s.arg(n)},
            {u"origin"_s, u"api"_s}};
}

QStringList events(const TailModel &model)
{
    QStringList names;
    for (int row = 0; row < model.rowCount(); ++row) {
        names.append(model.data(model.index(row, TailModel::EventColumn)).toString());
    }
    return names;
}

} // namespace

class tst_TailModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsPublicationsInOrder();
    void keepsOnlyTheNewestUpToCapacity();
    void pauseHoldsRowsStillUntilResumed();
    void countsDroppedPublications();
};

void tst_TailModel::showsPublicationsInOrder()
{
    TailModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyDelta(publication(1));
    model.applyDelta(publication(2));
    QCOMPARE(events(model), (QStringList{u"e1"_s, u"e2"_s}));
    QCOMPARE(model.data(model.index(1, TailModel::DataColumn)).toString(), u"{\"n\":2}"_s);
    QCOMPARE(model.data(model.index(1, TailModel::OriginColumn)).toString(), u"api"_s);
}

void tst_TailModel::keepsOnlyTheNewestUpToCapacity()
{
    TailModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCapacity(3);
    for (int n = 1; n <= 5; ++n) {
        model.applyDelta(publication(n));
    }
    QCOMPARE(events(model), (QStringList{u"e3"_s, u"e4"_s, u"e5"_s}));
}

void tst_TailModel::pauseHoldsRowsStillUntilResumed()
{
    TailModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCapacity(4);
    model.applyDelta(publication(1));
    model.setPaused(true);
    for (int n = 2; n <= 7; ++n) {
        model.applyDelta(publication(n));
    }
    QCOMPARE(events(model), QStringList{u"e1"_s});
    // The buffer is capped as well: the oldest waiting ones went.
    QCOMPARE(model.waitingCount(), 4);
    model.setPaused(false);
    QCOMPARE(model.waitingCount(), 0);
    QCOMPARE(events(model), (QStringList{u"e4"_s, u"e5"_s, u"e6"_s, u"e7"_s}));
}

void tst_TailModel::countsDroppedPublications()
{
    TailModel model;
    model.applyDelta({{u"dropped"_s, 12}});
    model.applyDelta({{u"dropped"_s, 3}});
    QCOMPARE(model.droppedCount(), 15);
    QCOMPARE(model.rowCount(), 0);
    model.clear();
    QCOMPARE(model.droppedCount(), 0);
}

QTEST_GUILESS_MAIN(tst_TailModel)
#include "tst_tailmodel.moc"
