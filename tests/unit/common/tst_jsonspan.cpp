#include <common/json/jsonspan.h>

#include <QTest>

using namespace DNotifier;

class tst_JsonSpan final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsTheExactText_data();
    void findsTheExactText();
    void missing_data();
    void missing();
};

void tst_JsonSpan::findsTheExactText_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("an object keeps its key order and number spelling")
            << QByteArray("{\"data\":{\"z\":1,\"a\":2.50,\"big\":9007199254740993}}")
            << QByteArray("data") << QByteArray()
            << QByteArray("{\"z\":1,\"a\":2.50,\"big\":9007199254740993}");
    QTest::newRow("a string value includes its quotes and escapes")
            << QByteArray("{\"data\":\"a \\\"quoted\\\" }] text\"}") << QByteArray("data")
            << QByteArray() << QByteArray("\"a \\\"quoted\\\" }] text\"");
    QTest::newRow("a number before the closing brace")
            << QByteArray("{\"x\":1,\"data\":42}") << QByteArray("data") << QByteArray()
            << QByteArray("42");
    QTest::newRow("literals are found") << QByteArray("{\"data\":null, \"y\":true}")
                                        << QByteArray("y") << QByteArray() << QByteArray("true");
    QTest::newRow("brackets inside strings do not confuse nesting")
            << QByteArray("{\"a\":{\"s\":\"}}]]{\",\"n\":[1,[2]]},\"data\":[3]}")
            << QByteArray("data") << QByteArray() << QByteArray("[3]");
    QTest::newRow("whitespace around the value is left out")
            << QByteArray("{ \"data\" :  { \"k\" : [ 1 , 2 ] }  ,\"t\":0}") << QByteArray("data")
            << QByteArray() << QByteArray("{ \"k\" : [ 1 , 2 ] }");
    QTest::newRow("a nested path is followed")
            << QByteArray("{\"id\":3,\"publish\":{\"channel\":\"c\",\"data\":{\"b\":1,\"a\":0}}}")
            << QByteArray("publish") << QByteArray("data") << QByteArray("{\"b\":1,\"a\":0}");
    QTest::newRow("a member of the same name deeper down is not taken")
            << QByteArray("{\"x\":{\"data\":1},\"data\":2}") << QByteArray("data") << QByteArray()
            << QByteArray("2");
}

void tst_JsonSpan::findsTheExactText()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    QFETCH(QByteArray, expected);
    QList<QByteArrayView> path{first};
    if (!second.isEmpty()) {
        path.append(second);
    }
    const auto span = Json::memberSpan(json, path);
    QVERIFY(span.has_value());
    QCOMPARE(span->toByteArray(), expected);
}

void tst_JsonSpan::missing_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("no such member") << QByteArray("{\"other\":1}");
    QTest::newRow("not an object") << QByteArray("[{\"data\":1}]");
    QTest::newRow("an empty object") << QByteArray("{}");
    QTest::newRow("a name written with escapes is not matched") << QByteArray("{\"\\u0064ata\":1}");
    QTest::newRow("truncated text") << QByteArray("{\"x\":\"unterminated");
}

void tst_JsonSpan::missing()
{
    QFETCH(QByteArray, json);
    QVERIFY(!Json::memberSpan(json, {"data"}).has_value());
}

QTEST_GUILESS_MAIN(tst_JsonSpan)
#include "tst_jsonspan.moc"
