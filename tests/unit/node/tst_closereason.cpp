#include <node/transport/websocketclose.h>

#include <QTest>

using namespace DNotifier;
using namespace Qt::Literals::StringLiterals;

class tst_CloseReason final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fitsAControlFrame_data();
    void fitsAControlFrame();
};

void tst_CloseReason::fitsAControlFrame_data()
{
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("expected");

    const QString emoji = QString::fromUcs4(U"\U0001F600");
    QTest::newRow("a short reason is kept")
            << u"Pong reply not received"_s << u"Pong reply not received"_s;
    QTest::newRow("123 ASCII bytes are kept") << QString(123, u'a') << QString(123, u'a');
    QTest::newRow("ASCII is cut at 123 bytes") << QString(300, u'a') << QString(123, u'a');
    QTest::newRow("two-byte characters are cut at 122 bytes")
            << QString(300, QChar(0xe9)) << QString(61, QChar(0xe9));
    QTest::newRow("three-byte characters are cut at 123 bytes")
            << QString(100, QChar(0x20ac)) << QString(41, QChar(0x20ac));
    QTest::newRow("surrogate pairs are never split") << emoji.repeated(40) << emoji.repeated(30);
    QTest::newRow("a mix cuts before the character that would overflow")
            << QString(121, u'a') + QChar(0xe9) + u'b' << QString(121, u'a') + QChar(0xe9);
}

void tst_CloseReason::fitsAControlFrame()
{
    QFETCH(QString, reason);
    QFETCH(QString, expected);
    const QString cut = Transport::closeReason(reason);
    QCOMPARE(cut, expected);
    QVERIFY(cut.toUtf8().size() <= 123);
    QCOMPARE(QString::fromUtf8(cut.toUtf8()), cut);
}

QTEST_GUILESS_MAIN(tst_CloseReason)
#include "tst_closereason.moc"
