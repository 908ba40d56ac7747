// Server text frames built once for every recipient: the header for each payload length class
// of RFC 6455 5.2 (7-bit, 16-bit and 64-bit lengths), FIN set, no mask, payload kept whole.

#include <node/transport/outgoingframe.h>

#include <QTest>

using namespace DNotifier::Transport;

class tst_OutgoingFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void headers_data();
    void headers();
};

void tst_OutgoingFrame::headers_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("empty") << 0 << QByteArray::fromHex("8100");
    QTest::newRow("125, the largest 7-bit length") << 125 << QByteArray::fromHex("817d");
    QTest::newRow("126, the smallest 16-bit length") << 126 << QByteArray::fromHex("817e007e");
    QTest::newRow("65535, the largest 16-bit length") << 65535 << QByteArray::fromHex("817effff");
    QTest::newRow("65536, a 64-bit length") << 65536 << QByteArray::fromHex("817f0000000000010000");
}

void tst_OutgoingFrame::headers()
{
    QFETCH(int, length);
    QFETCH(QByteArray, header);
    const QByteArray payload(length, 'x');
    const OutgoingFrame frame = serverTextFrame(payload);
    QCOMPARE(frame.wire.left(header.size()).toHex(), header.toHex());
    QCOMPARE(frame.wire.size(), header.size() + length);
    QCOMPARE(frame.wire.mid(header.size()), payload);
    QCOMPARE(frame.payloadBytes, payload.size());
}

QTEST_GUILESS_MAIN(tst_OutgoingFrame)
#include "tst_outgoingframe.moc"
