// The node's reading of client WebSocket frames (RFC 6455 section 5) and its side of the
// opening handshake (section 4.2): each rule a client can break and the close code it earns,
// UTF-8 checked across fragments, input arriving in pieces of any size.

#include <node/websocket/frameparser.h>
#include <node/websocket/handshake.h>

#include <QTest>

using namespace DNotifier;
using namespace DNotifier::WebSocket;

namespace {

constexpr qint64 Limit = 1000;

// A client frame: `head` is the first byte (FIN, RSV, opcode), the payload masked with a fixed
// key. `length` overrides the announced length and `extended` forces a longer length form.
QByteArray clientFrame(quint8 head, const QByteArray &payload, int extended = 0)
{
    QByteArray frame(1, char(head));
    const quint64 length = quint64(payload.size());
    if (extended == 0 && length < 126) {
        frame.append(char(0x80 | length));
    } else if (extended <= 2 && length <= 0xffff) {
        frame.append(char(0x80 | 126));
        frame.append(char(length >> 8));
        frame.append(char(length & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8) {
            frame.append(char((length >> shift) & 0xff));
        }
    }
    const QByteArray key = QByteArray::fromHex("37fa213d");
    frame.append(key);
    for (qsizetype i = 0; i < payload.size(); ++i) {
        frame.append(char(payload[i] ^ key[i & 3]));
    }
    return frame;
}

QByteArray text(const QByteArray &payload)
{
    return clientFrame(0x81, payload);
}

struct Outcome
{
    QList<Message> messages;
    std::optional<Violation> violation;
};

Outcome parse(const QByteArray &bytes, qsizetype piece = 0)
{
    FrameParser parser(Limit);
    Outcome outcome;
    if (piece == 0) {
        parser.feed(bytes, outcome.messages);
    } else {
        for (qsizetype at = 0; at < bytes.size(); at += piece) {
            parser.feed(QByteArrayView(bytes).sliced(at, qMin(piece, bytes.size() - at)),
                        outcome.messages);
        }
    }
    outcome.violation = parser.violation();
    return outcome;
}

QByteArray closePayload(quint16 code, const QByteArray &reason)
{
    return QByteArray(1, char(code >> 8)) + char(code & 0xff) + reason;
}

} // namespace

class tst_WebSocketFrames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void textFrameInAnyPieces_data();
    void textFrameInAnyPieces();
    void fragmentsWithAPingBetween();
    void binaryMessage();
    void violations_data();
    void violations();
    void sizeLimitFromTheHeader();
    void exactlyTheLimitInFragments();
    void validCharactersSplitAcrossFragments();
    void closeFrames();
    void nothingAfterAViolation();
    void acceptKeyOfTheRfcExample();
    void upgradeChecks();
};

void tst_WebSocketFrames::textFrameInAnyPieces_data()
{
    QTest::addColumn<qsizetype>("piece");
    QTest::newRow("whole") << qsizetype(0);
    QTest::newRow("byte by byte") << qsizetype(1);
    QTest::newRow("7 bytes at a time") << qsizetype(7);
}

void tst_WebSocketFrames::textFrameInAnyPieces()
{
    QFETCH(qsizetype, piece);
    const QByteArray big(300, 'b');
    const Outcome outcome = parse(text("{\"event\":\"pusher:ping\"}") + text(big), piece);
    QVERIFY(!outcome.violation);
    QCOMPARE(outcome.messages.size(), 2);
    QCOMPARE(outcome.messages[0].kind, Message::Kind::Text);
    QCOMPARE(outcome.messages[0].payload, QByteArray("{\"event\":\"pusher:ping\"}"));
    QCOMPARE(outcome.messages[1].payload, big);
}

void tst_WebSocketFrames::fragmentsWithAPingBetween()
{
    const Outcome outcome = parse(clientFrame(0x01, "one ") + clientFrame(0x89, "are you there")
                                  + clientFrame(0x00, "two ") + clientFrame(0x80, "three"));
    QVERIFY(!outcome.violation);
    QCOMPARE(outcome.messages.size(), 2);
    QCOMPARE(outcome.messages[0].kind, Message::Kind::Ping);
    QCOMPARE(outcome.messages[0].payload, QByteArray("are you there"));
    QCOMPARE(outcome.messages[1].kind, Message::Kind::Text);
    QCOMPARE(outcome.messages[1].payload, QByteArray("one two three"));
}

void tst_WebSocketFrames::binaryMessage()
{
    const Outcome outcome = parse(clientFrame(0x82, QByteArray::fromHex("00ff80")));
    QVERIFY(!outcome.violation);
    QCOMPARE(outcome.messages.size(), 1);
    QCOMPARE(outcome.messages[0].kind, Message::Kind::Binary);
}

void tst_WebSocketFrames::violations_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    QByteArray unmasked = QByteArray::fromHex("8105") + "hello";
    QTest::newRow("unmasked frame") << unmasked << 1002;
    QTest::newRow("reserved bit") << clientFrame(0xc1, "x") << 1002;
    QTest::newRow("unknown opcode 3") << clientFrame(0x83, "x") << 1002;
    QTest::newRow("unknown opcode 11") << clientFrame(0x8b, "x") << 1002;
    QTest::newRow("ping without FIN") << clientFrame(0x09, "x") << 1002;
    QTest::newRow("ping of 126 bytes") << clientFrame(0x89, QByteArray(126, 'p')) << 1002;
    QTest::newRow("continuation with nothing to continue") << clientFrame(0x80, "x") << 1002;
    QTest::newRow("new text frame inside a fragmented message")
            << clientFrame(0x01, "a") + clientFrame(0x81, "b") << 1002;
    QTest::newRow("16-bit length for 5 bytes") << clientFrame(0x81, "hello", 2) << 1002;
    QTest::newRow("64-bit length for 200 bytes")
            << clientFrame(0x81, QByteArray(200, 'x'), 8) << 1002;
    QTest::newRow("invalid byte c3 28") << text(QByteArray::fromHex("c328")) << 1007;
    QTest::newRow("overlong c0 af") << text(QByteArray::fromHex("c0af")) << 1007;
    QTest::newRow("overlong e0 80 af") << text(QByteArray::fromHex("e080af")) << 1007;
    QTest::newRow("surrogate ed a0 80") << text(QByteArray::fromHex("eda080")) << 1007;
    QTest::newRow("above U+10FFFF") << text(QByteArray::fromHex("f4908080")) << 1007;
    QTest::newRow("byte ff") << text(QByteArray::fromHex("41ff")) << 1007;
    QTest::newRow("message ends inside a character") << text(QByteArray::fromHex("41c3")) << 1007;
    QTest::newRow("invalid byte split over fragments")
            << clientFrame(0x01, QByteArray::fromHex("c3")) + clientFrame(0x80, "(") << 1007;
    QTest::newRow("close with one byte") << clientFrame(0x88, QByteArray(1, '\x03')) << 1002;
    QTest::newRow("close with code 1005") << clientFrame(0x88, closePayload(1005, {})) << 1002;
    QTest::newRow("close with code 999") << clientFrame(0x88, closePayload(999, {})) << 1002;
    QTest::newRow("close with code 2000") << clientFrame(0x88, closePayload(2000, {})) << 1002;
    QTest::newRow("close reason not UTF-8")
            << clientFrame(0x88, closePayload(1000, QByteArray::fromHex("ff"))) << 1007;
}

void tst_WebSocketFrames::violations()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    const Outcome outcome = parse(bytes);
    QVERIFY(outcome.violation);
    QCOMPARE(int(outcome.violation->code), code);
    QVERIFY(!outcome.violation->reason.isEmpty());
    for (const Message &message : outcome.messages) {
        QVERIFY(message.kind != Message::Kind::Text);
    }
}

void tst_WebSocketFrames::sizeLimitFromTheHeader()
{
    // A frame announcing 100 MB: refused from its 14 header bytes, no payload needed.
    QByteArray header = QByteArray::fromHex("81ff0000000005f5e100");
    header.append(QByteArray::fromHex("37fa213d"));
    const Outcome outcome = parse(header);
    QVERIFY(outcome.violation);
    QCOMPARE(int(outcome.violation->code), 1009);

    const Outcome overByOne = parse(text(QByteArray(Limit + 1, 'x')));
    QVERIFY(overByOne.violation);
    QCOMPARE(int(overByOne.violation->code), 1009);

    const Outcome fragments = parse(clientFrame(0x01, QByteArray(600, 'x'))
                                    + clientFrame(0x80, QByteArray(401, 'x')));
    QVERIFY(fragments.violation);
    QCOMPARE(int(fragments.violation->code), 1009);
    QVERIFY(fragments.messages.isEmpty());
}

void tst_WebSocketFrames::exactlyTheLimitInFragments()
{
    const Outcome outcome = parse(clientFrame(0x01, QByteArray(600, 'x'))
                                  + clientFrame(0x80, QByteArray(400, 'y')));
    QVERIFY(!outcome.violation);
    QCOMPARE(outcome.messages.size(), 1);
    QCOMPARE(outcome.messages[0].payload.size(), Limit);
}

void tst_WebSocketFrames::validCharactersSplitAcrossFragments()
{
    // "é" (c3 a9), "€" (e2 82 ac) and "😀" (f0 9f 98 80), each cut inside.
    const QByteArray all = QByteArray::fromHex("c3a9e282acf09f9880");
    const Outcome outcome =
            parse(clientFrame(0x01, all.first(1)) + clientFrame(0x00, all.mid(1, 3))
                  + clientFrame(0x00, all.mid(4, 2)) + clientFrame(0x80, all.mid(6)));
    QVERIFY2(!outcome.violation,
             qPrintable(outcome.violation ? outcome.violation->reason : u""_qs));
    QCOMPARE(outcome.messages.size(), 1);
    QCOMPARE(QString::fromUtf8(outcome.messages[0].payload), u"é€😀"_qs);
}

void tst_WebSocketFrames::closeFrames()
{
    const Outcome empty = parse(clientFrame(0x88, {}));
    QVERIFY(!empty.violation);
    QCOMPARE(empty.messages.size(), 1);
    QCOMPARE(empty.messages[0].kind, Message::Kind::Close);
    QCOMPARE(int(empty.messages[0].closeCode), 1005);

    const Outcome withReason = parse(clientFrame(0x88, closePayload(4000, "bye")));
    QVERIFY(!withReason.violation);
    QCOMPARE(int(withReason.messages[0].closeCode), 4000);
    QCOMPARE(withReason.messages[0].payload, QByteArray("bye"));
}

void tst_WebSocketFrames::nothingAfterAViolation()
{
    FrameParser parser(Limit);
    QList<Message> messages;
    parser.feed(clientFrame(0x83, "x"), messages);
    QVERIFY(parser.violation());
    parser.feed(text("after"), messages);
    QVERIFY(messages.isEmpty());
}

void tst_WebSocketFrames::acceptKeyOfTheRfcExample()
{
    // RFC 6455, section 1.3.
    QCOMPARE(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
}

void tst_WebSocketFrames::upgradeChecks()
{
    Http::Request request;
    request.method = "GET";
    request.headers = {{"Upgrade", "WebSocket"},
                       {"Connection", "keep-alive, Upgrade"},
                       {"Sec-WebSocket-Version", "13"},
                       {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
    const Result<QByteArray> accepted = upgradeResponse(request);
    QVERIFY(accepted);
    QVERIFY(accepted->startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
    QVERIFY(accepted->contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    QVERIFY(accepted->endsWith("\r\n\r\n"));
    QVERIFY(!accepted->contains("Sec-WebSocket-Extensions"));

    Http::Request oldVersion = request;
    oldVersion.headers[2].second = "8";
    QCOMPARE(upgradeResponse(oldVersion).error().code, 426);

    Http::Request shortKey = request;
    shortKey.headers[3].second = "c2hvcnQ=";
    QCOMPARE(upgradeResponse(shortKey).error().code, 400);

    Http::Request post = request;
    post.method = "POST";
    QCOMPARE(upgradeResponse(post).error().code, 400);
}

QTEST_GUILESS_MAIN(tst_WebSocketFrames)
#include "tst_websocketframes.moc"
