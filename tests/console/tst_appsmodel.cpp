// The app credentials from list_apps: rows keyed by app id, updated in place so a selection
// survives a refresh, with the secret kept out of the columns.

#include <console/models/appsmodel.h>

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject app(const QString &id, const QString &key, bool enabled = true)
{
    return {{u"id"_s, id},
            {u"key"_s, key},
            {u"secret"_s, QString(u"secret-of-"_s + id)},
            {u"enabled"_s, enabled},
            {u"managed"_s, id != u"1"_s}};
}

QStringList ids(const AppsModel &model)
{
    QStringList result;
    for (const AppCredentials &credentials : model.apps()) {
        result.append(credentials.id);
    }
    return result;
}

} // namespace

class tst_AppsModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listFillsRowsWithoutTheSecret();
    void refreshUpdatesRowsInPlace();
    void appsWithoutAnIdAreSkipped();
};

void tst_AppsModel::listFillsRowsWithoutTheSecret()
{
    AppsModel model;
    QAbstractItemModelTester tester(&model);
    model.setApps({app(u"1"_s, u"key-one"_s), app(u"204518"_s, u"key-two"_s, false)});
    QCOMPARE(ids(model), (QStringList{u"1"_s, u"204518"_s}));
    QCOMPARE(model.columnCount(), 4);
    QCOMPARE(model.index(1, AppsModel::IdColumn).data().toString(), u"204518"_s);
    QCOMPARE(model.index(1, AppsModel::KeyColumn).data().toString(), u"key-two"_s);
    QCOMPARE(model.index(1, AppsModel::EnabledColumn).data().toString(), u"no"_s);
    QCOMPARE(model.index(0, AppsModel::ManagedColumn).data().toString(), u"no"_s);
    QCOMPARE(model.index(1, AppsModel::ManagedColumn).data().toString(), u"yes"_s);
    for (int column = 0; column < model.columnCount(); ++column) {
        QVERIFY(!model.index(1, column).data().toString().contains(u"secret"_s));
    }
    QCOMPARE(model.index(1, 0).data(AppsModel::SecretRole).toString(), u"secret-of-204518"_s);
    QCOMPARE(model.find(u"204518"_s)->enabled, false);
}

void tst_AppsModel::refreshUpdatesRowsInPlace()
{
    AppsModel model;
    QAbstractItemModelTester tester(&model);
    model.setApps(
            {app(u"1"_s, u"key-one"_s), app(u"2"_s, u"key-two"_s), app(u"3"_s, u"key-three"_s)});
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    // App 2 rotated, app 1 gone, app 4 new, app 3 unchanged.
    model.setApps({app(u"2"_s, u"key-two-rotated"_s), app(u"3"_s, u"key-three"_s),
                   app(u"4"_s, u"key-four"_s)});
    QCOMPARE(ids(model), (QStringList{u"2"_s, u"3"_s, u"4"_s}));
    QCOMPARE(reset.size(), 0);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().first().toModelIndex().row(), 0);
    QCOMPARE(model.find(u"2"_s)->key, u"key-two-rotated"_s);

    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(reset.size(), 1);
}

void tst_AppsModel::appsWithoutAnIdAreSkipped()
{
    AppsModel model;
    model.setApps({QJsonObject{{u"key"_s, u"no-id"_s}}, app(u"7"_s, u"key-seven"_s)});
    QCOMPARE(ids(model), QStringList{u"7"_s});
    QCOMPARE(model.rowOf(u"7"_s), 0);
    QCOMPARE(model.rowOf(u"8"_s), -1);
    QVERIFY(!model.find(u"8"_s).has_value());
}

QTEST_GUILESS_MAIN(tst_AppsModel)
#include "tst_appsmodel.moc"
