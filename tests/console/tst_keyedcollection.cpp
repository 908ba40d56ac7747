// Snapshot and delta handling of keyed collections (docs/admin-protocol.md, "subscribe and
// unsubscribe"), bare and through the table models the views use.

#include <console/models/channelsmodel.h>
#include <console/models/keyedcollection.h>
#include <console/models/nodesmodel.h>

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject node(const QString &key, int connections)
{
    return {{u"key"_s, key},
            {u"id"_s, key},
            {u"name"_s, key.toUpper()},
            {u"connections"_s, connections}};
}

QStringList keysOf(const KeyedCollection &collection)
{
    QStringList keys;
    for (const QJsonObject &item : collection.items()) {
        keys.append(item.value("key"_L1).toString());
    }
    return keys;
}

} // namespace

class tst_KeyedCollection final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void snapshotReplacesEverything();
    void snapshotSkipsItemsWithoutKeyAndKeepsTheLastOfARepeatedKey();
    void deltaUpsertsInFullAndRemovesByKey();
    void deltaRemovalKeepsTheIndexRight();
    void removingAnUnknownKeyChangesNothing();
    void modelSignalsRowsPrecisely();
    void modelReadsItsOwnCollectionAndTotal();
    void modelSortRoleKeepsNumbers();
};

void tst_KeyedCollection::snapshotReplacesEverything()
{
    KeyedCollection collection;
    collection.applySnapshot({node(u"a"_s, 1), node(u"b"_s, 2)});
    QCOMPARE(keysOf(collection), (QStringList{u"a"_s, u"b"_s}));
    collection.applySnapshot({node(u"c"_s, 3)});
    QCOMPARE(keysOf(collection), QStringList{u"c"_s});
    QVERIFY(!collection.contains(u"a"_s));
    QCOMPARE(collection.find(u"c"_s).value("connections"_L1).toInt(), 3);
}

void tst_KeyedCollection::snapshotSkipsItemsWithoutKeyAndKeepsTheLastOfARepeatedKey()
{
    KeyedCollection collection;
    collection.applySnapshot({node(u"a"_s, 1), QJsonObject{{u"name"_s, u"keyless"_s}},
                              QJsonObject{{u"key"_s, 5}}, node(u"a"_s, 9), QJsonValue(3)});
    QCOMPARE(collection.size(), 1);
    QCOMPARE(collection.at(0).value("connections"_L1).toInt(), 9);
}

void tst_KeyedCollection::deltaUpsertsInFullAndRemovesByKey()
{
    KeyedCollection collection;
    collection.applySnapshot({node(u"a"_s, 1), node(u"b"_s, 2)});
    // An upsert carries the item in full: fields it leaves out are gone.
    collection.applyDelta(
            {{u"upsert"_s, QJsonArray{QJsonObject{{u"key"_s, u"a"_s}}, node(u"c"_s, 3)}},
             {u"remove"_s, QJsonArray{u"b"_s}}});
    QCOMPARE(keysOf(collection), (QStringList{u"a"_s, u"c"_s}));
    QVERIFY(!collection.find(u"a"_s).contains("connections"_L1));
    QCOMPARE(collection.rowOf(u"c"_s), 1);
    QCOMPARE(collection.rowOf(u"b"_s), -1);
}

void tst_KeyedCollection::deltaRemovalKeepsTheIndexRight()
{
    KeyedCollection collection;
    collection.applySnapshot({node(u"a"_s, 1), node(u"b"_s, 2), node(u"c"_s, 3), node(u"d"_s, 4)});
    collection.applyDelta({{u"remove"_s, QJsonArray{u"a"_s, u"c"_s}}});
    QCOMPARE(keysOf(collection), (QStringList{u"b"_s, u"d"_s}));
    QCOMPARE(collection.rowOf(u"b"_s), 0);
    QCOMPARE(collection.rowOf(u"d"_s), 1);
    collection.applyDelta({{u"upsert"_s, QJsonArray{node(u"d"_s, 40)}}});
    QCOMPARE(collection.at(1).value("connections"_L1).toInt(), 40);
}

void tst_KeyedCollection::removingAnUnknownKeyChangesNothing()
{
    KeyedCollection collection;
    collection.applySnapshot({node(u"a"_s, 1)});
    collection.applyDelta({{u"remove"_s, QJsonArray{u"zzz"_s}}, {u"upsert"_s, QJsonArray{}}});
    QCOMPARE(keysOf(collection), QStringList{u"a"_s});
}

void tst_KeyedCollection::modelSignalsRowsPrecisely()
{
    NodesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.applySnapshot({{u"nodes"_s, QJsonArray{node(u"a"_s, 1), node(u"b"_s, 2)}}});
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.rowCount(), 2);

    model.applyDelta(
            {{u"nodes"_s, QJsonObject{{u"upsert"_s, QJsonArray{node(u"b"_s, 5), node(u"c"_s, 1)}},
                                      {u"remove"_s, QJsonArray{u"a"_s}}}}});
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.first().at(1).toInt(), 0);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex().row(), 0);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.data(model.index(0, 0)).toString(), u"B"_s);
    QCOMPARE(model.data(model.index(0, 0), KeyedTableModel::KeyRole).toString(), u"b"_s);
    QCOMPARE(model.data(model.index(0, 3)).toString(), u"5"_s);
    QCOMPARE(model.nameOf(u"c"_s), u"C"_s);
    QCOMPARE(model.nameOf(u"unknown"_s), u"unknown"_s);
}

void tst_KeyedCollection::modelReadsItsOwnCollectionAndTotal()
{
    ChannelsModel model;
    QSignalSpy totals(&model, &KeyedTableModel::totalChanged);
    const QJsonObject channel{{u"key"_s, u"1/orders"_s},        {u"app"_s, u"1"_s},
                              {u"name"_s, u"orders"_s},         {u"subscribers"_s, 3},
                              {u"members"_s, QJsonValue::Null}, {u"rate"_s, 2.5}};
    model.applySnapshot({{u"channels"_s, QJsonArray{channel}}, {u"total"_s, 120}});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.total(), 120);
    QCOMPARE(totals.size(), 1);
    QCOMPARE(model.data(model.index(0, ChannelsModel::MembersColumn)).toString(), u"—"_s);
    QCOMPARE(model.data(model.index(0, ChannelsModel::RateColumn)).toString(), u"2.5"_s);

    // A delta for other collections leaves this one alone but may still move the total.
    model.applyDelta({{u"nodes"_s, QJsonObject{{u"remove"_s, QJsonArray{u"1/orders"_s}}}},
                      {u"total"_s, 121}});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.total(), 121);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.total(), -1);
}

void tst_KeyedCollection::modelSortRoleKeepsNumbers()
{
    ChannelsModel model;
    model.applySnapshot({{u"channels"_s,
                          QJsonArray{QJsonObject{{u"key"_s, u"1/a"_s}, {u"subscribers"_s, 9}},
                                     QJsonObject{{u"key"_s, u"1/b"_s}, {u"subscribers"_s, 10}}}}});
    const auto sortValue = [&model](int row) {
        return model.data(model.index(row, ChannelsModel::SubscribersColumn),
                          KeyedTableModel::SortRole);
    };
    // As text "10" would sort before "9".
    QCOMPARE(QVariant::compare(sortValue(0), sortValue(1)), QPartialOrdering::Less);
}

QTEST_GUILESS_MAIN(tst_KeyedCollection)
#include "tst_keyedcollection.moc"
