// The pure parts of the load generator's own clients: WebSocket upgrade check, frame parser,
// message reassembly and client frame encoding; NATS operations; Pusher frame reading and
// request signing; the latency histogram; the socket diagnostics request and answer of the
// stalled subscriber. A wrong count here would make every benchmark figure wrong.

#include "loadgen/benchpayload.h"
#include "loadgen/histogram.h"
#include "loadgen/natswire.h"
#include "loadgen/pusherwire.h"
#include "loadgen/sockdiag.h"
#include "loadgen/wsframe.h"

#include <QTest>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>

using namespace DNotifier::Bench;
using namespace std::string_view_literals;

namespace {

// An unmasked server frame with the given first byte and payload, minimal length encoding.
std::string serverFrame(unsigned char first, std::string_view payload)
{
    std::string frame(1, static_cast<char>(first));
    const std::size_t length = payload.size();
    if (length < 126) {
        frame += static_cast<char>(length);
    } else if (length <= 0xFFFF) {
        frame += static_cast<char>(126);
        frame += static_cast<char>(length >> 8);
        frame += static_cast<char>(length & 0xFF);
    } else {
        frame += static_cast<char>(127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            frame += static_cast<char>((std::uint64_t(length) >> shift) & 0xFF);
        }
    }
    frame += payload;
    return frame;
}

std::string bytes(std::initializer_list<unsigned char> values)
{
    std::string out;
    for (const unsigned char value : values) {
        out += static_cast<char>(value);
    }
    return out;
}

QByteArray qt(std::string_view text)
{
    return QByteArray(text.data(), qsizetype(text.size()));
}

const std::string_view AcceptForSampleKey = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string response(std::string_view headers)
{
    return "HTTP/1.1 101 Switching Protocols\r\n" + std::string(headers) + "\r\n";
}

// A netlink message of the given type around body, as the kernel writes it.
template<typename Body>
std::string netlinkMessage(std::uint16_t type, const Body &body)
{
    nlmsghdr header{};
    header.nlmsg_len = NLMSG_LENGTH(sizeof body);
    header.nlmsg_type = type;
    std::string message(NLMSG_SPACE(sizeof body), '\0');
    std::memcpy(message.data(), &header, sizeof header);
    std::memcpy(message.data() + NLMSG_HDRLEN, &body, sizeof body);
    return message;
}

} // namespace

class tst_WsFrame final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acceptKeyMatchesTheRfcExample();
    void upgradeRequestCarriesTheHandshakeHeaders();
    void upgradeResponse_data();
    void upgradeResponse();
    void upgradeResponseLeavesFollowingFramesAlone();
    void frameHeader_data();
    void frameHeader();
    void frameLengths_data();
    void frameLengths();
    void truncatedFramesNeedMore();
    void fragmentsAreJoined();
    void controlFramesPassBetweenFragments();
    void fragmentOrderViolationsAreInvalid();
    void closePayload();
    void clientFramesAreMaskedAndParseBack_data();
    void clientFramesAreMaskedAndParseBack();
    void natsOperations_data();
    void natsOperations();
    void natsMessageSplitAcrossChunksNeedsMore();
    void pusherFrameMembers();
    void pusherSignatureMatchesTheWorkedExample();
    void httpResponses();
    void benchPayloadRoundTrips();
    void natsConnectAsksForAcknowledgements();
    void histogramIsExactForSmallValues();
    void histogramBucketsTileTheRange();
    void histogramPercentilesOfLargeValues();
    void histogramEdges();
    void sockDiagRequestNamesOneSocket();
    void sockDiagReplies();
};

void tst_WsFrame::acceptKeyMatchesTheRfcExample()
{
    // RFC 6455 section 1.3.
    QCOMPARE(qt(webSocketAccept("dGhlIHNhbXBsZSBub25jZQ==")), qt(AcceptForSampleKey));
    QCOMPARE(webSocketKey(1, 2).size(), std::size_t(24));
}

void tst_WsFrame::upgradeRequestCarriesTheHandshakeHeaders()
{
    const std::string request = upgradeRequest("127.0.0.1:7000", "/app/k?protocol=7", "abc=");
    QVERIFY(request.starts_with("GET /app/k?protocol=7 HTTP/1.1\r\n"));
    QVERIFY(request.find("\r\nHost: 127.0.0.1:7000\r\n") != std::string::npos);
    QVERIFY(request.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
    QVERIFY(request.find("\r\nConnection: Upgrade\r\n") != std::string::npos);
    QVERIFY(request.find("\r\nSec-WebSocket-Key: abc=\r\n") != std::string::npos);
    QVERIFY(request.find("\r\nSec-WebSocket-Version: 13\r\n") != std::string::npos);
    QVERIFY(request.ends_with("\r\n\r\n"));
}

void tst_WsFrame::upgradeResponse_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");

    const auto accepted = int(UpgradeCheck::Status::Accepted);
    const auto rejected = int(UpgradeCheck::Status::Rejected);
    const auto needMore = int(UpgradeCheck::Status::NeedMore);
    const std::string good = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
    QTest::newRow("a correct answer is accepted") << qt(response(good)) << accepted << QByteArray();
    QTest::newRow("header names and tokens ignore case, lists are searched")
            << qt(response("upgrade: WebSocket\r\nCONNECTION: keep-alive, Upgrade\r\n"
                           "sec-websocket-accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  \r\n"))
            << accepted << QByteArray();
    QTest::newRow("a head without its blank line needs more")
            << qt(response(good).substr(0, 60)) << needMore << QByteArray();
    QTest::newRow("another status is rejected with it")
            << QByteArray("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n") << rejected
            << QByteArray("HTTP status 404");
    QTest::newRow("a wrong accept value is rejected")
            << qt(response("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n"))
            << rejected << QByteArray("wrong Sec-WebSocket-Accept");
    QTest::newRow("a missing accept header is rejected")
            << qt(response("Upgrade: websocket\r\nConnection: Upgrade\r\n")) << rejected
            << QByteArray("wrong Sec-WebSocket-Accept");
    QTest::newRow("a missing Upgrade header is rejected")
            << qt(response("Connection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
            << rejected << QByteArray("no \"Upgrade: websocket\"");
    QTest::newRow("Connection without upgrade is rejected")
            << qt(response("Upgrade: websocket\r\nConnection: keep-alive\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
            << rejected << QByteArray("no \"Connection: upgrade\"");
    QTest::newRow("an extension that was not asked for is rejected")
            << qt(response(good + "Sec-WebSocket-Extensions: permessage-deflate\r\n")) << rejected
            << QByteArray("extension not requested");
    QTest::newRow("a garbled status line is rejected")
            << QByteArray("HTTX/1.1 101 Switching\r\n\r\n") << rejected
            << QByteArray("malformed status line");
    QTest::newRow("a header line without a colon is rejected")
            << qt(response(good + "garbage\r\n")) << rejected
            << QByteArray("malformed header line");
}

void tst_WsFrame::upgradeResponse()
{
    QFETCH(QByteArray, data);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);

    const UpgradeCheck check =
            checkUpgradeResponse(std::string_view(data.constData(), std::size_t(data.size())),
                                 AcceptForSampleKey);
    QCOMPARE(int(check.status), status);
    QCOMPARE(qt(check.reason), reason);
    if (check.status == UpgradeCheck::Status::Accepted) {
        QCOMPARE(check.headLength, std::size_t(data.size()));
    }
}

void tst_WsFrame::upgradeResponseLeavesFollowingFramesAlone()
{
    const std::string head = response("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n");
    const std::string data = head + serverFrame(0x81, "{\"event\":\"x\"}");
    const UpgradeCheck check = checkUpgradeResponse(data, AcceptForSampleKey);
    QCOMPARE(int(check.status), int(UpgradeCheck::Status::Accepted));
    QCOMPARE(check.headLength, head.size());
    const FrameParse frame =
            parseServerFrame(std::string_view(data).substr(check.headLength), 1 << 20);
    QCOMPARE(int(frame.status), int(FrameParse::Status::Complete));
    QCOMPARE(qt(frame.frame.payload), QByteArray("{\"event\":\"x\"}"));
}

void tst_WsFrame::frameHeader_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("fin");
    QTest::addColumn<int>("opcode");
    QTest::addColumn<QByteArray>("payload");

    const int complete = int(FrameParse::Status::Complete);
    const int invalid = int(FrameParse::Status::Invalid);
    QTest::newRow("a final text frame")
            << qt(serverFrame(0x81, "hello")) << complete << true << 1 << QByteArray("hello");
    QTest::newRow("a final binary frame")
            << qt(serverFrame(0x82, "PING\r\n")) << complete << true << 2 << QByteArray("PING\r\n");
    QTest::newRow("a first fragment")
            << qt(serverFrame(0x01, "he")) << complete << false << 1 << QByteArray("he");
    QTest::newRow("an empty ping")
            << qt(serverFrame(0x89, "")) << complete << true << 9 << QByteArray();
    QTest::newRow("a close with a code") << qt(serverFrame(0x88, bytes({0x03, 0xE8}))) << complete
                                         << true << 8 << QByteArray("\x03\xE8");
    QTest::newRow("a masked frame is invalid")
            << qt(bytes({0x81, 0x81, 1, 2, 3, 4, 'a'})) << invalid << true << 0 << QByteArray();
    QTest::newRow("reserved bits are invalid")
            << qt(serverFrame(0xC1, "x")) << invalid << true << 0 << QByteArray();
    QTest::newRow("opcode 3 is invalid")
            << qt(serverFrame(0x83, "x")) << invalid << true << 0 << QByteArray();
    QTest::newRow("a fragmented ping is invalid")
            << qt(serverFrame(0x09, "x")) << invalid << true << 0 << QByteArray();
    QTest::newRow("a ping over 125 bytes is invalid")
            << qt(serverFrame(0x89, std::string(126, 'p'))) << invalid << true << 0 << QByteArray();
    QTest::newRow("a 16-bit length under 126 is invalid")
            << qt(bytes({0x81, 126, 0, 5}) + "hello") << invalid << true << 0 << QByteArray();
    QTest::newRow("a 64-bit length under 65536 is invalid")
            << qt(bytes({0x82, 127, 0, 0, 0, 0, 0, 0, 0x01, 0x00}) + std::string(256, 'b'))
            << invalid << true << 0 << QByteArray();
    QTest::newRow("a 64-bit length with its top bit is invalid")
            << qt(bytes({0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1})) << invalid << true << 0
            << QByteArray();
}

void tst_WsFrame::frameHeader()
{
    QFETCH(QByteArray, data);
    QFETCH(int, status);
    QFETCH(bool, fin);
    QFETCH(int, opcode);
    QFETCH(QByteArray, payload);

    const FrameParse parse =
            parseServerFrame(std::string_view(data.constData(), std::size_t(data.size())), 1 << 20);
    QCOMPARE(int(parse.status), status);
    if (parse.status != FrameParse::Status::Complete) {
        QVERIFY(!parse.error.empty());
        return;
    }
    QCOMPARE(parse.frame.fin, fin);
    QCOMPARE(int(parse.frame.opcode), opcode);
    QCOMPARE(qt(parse.frame.payload), payload);
    QCOMPARE(parse.consumed, std::size_t(data.size()));
}

void tst_WsFrame::frameLengths_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("headerLength");

    QTest::newRow("125 bytes fit the 7-bit length") << 125 << 2;
    QTest::newRow("126 bytes take the 16-bit length") << 126 << 4;
    QTest::newRow("65535 bytes still take the 16-bit length") << 65535 << 4;
    QTest::newRow("65536 bytes take the 64-bit length") << 65536 << 10;
    QTest::newRow("a megabyte takes the 64-bit length") << (1 << 20) << 10;
}

void tst_WsFrame::frameLengths()
{
    QFETCH(int, length);
    QFETCH(int, headerLength);

    std::string payload(std::size_t(length), 'a');
    payload.back() = 'z';
    const std::string data = serverFrame(0x82, payload) + serverFrame(0x81, "next");
    const FrameParse parse = parseServerFrame(data, 16 << 20);
    QCOMPARE(int(parse.status), int(FrameParse::Status::Complete));
    QCOMPARE(parse.frame.payload.size(), std::size_t(length));
    QCOMPARE(parse.frame.payload.back(), 'z');
    QCOMPARE(parse.consumed, std::size_t(headerLength + length));
    const FrameParse next = parseServerFrame(std::string_view(data).substr(parse.consumed), 16);
    QCOMPARE(qt(next.frame.payload), QByteArray("next"));

    const FrameParse limited = parseServerFrame(data, std::uint64_t(length - 1));
    QCOMPARE(int(limited.status), int(FrameParse::Status::Invalid));
}

void tst_WsFrame::truncatedFramesNeedMore()
{
    const std::string data = serverFrame(0x82, std::string(70000, 'q'));
    // Every cut short of the whole frame, including cuts inside the extended length.
    for (const std::size_t cut : {0, 1, 2, 5, 9, 10, 11, 69999, 70009}) {
        const FrameParse parse = parseServerFrame(std::string_view(data).substr(0, cut), 1 << 20);
        QCOMPARE(int(parse.status), int(FrameParse::Status::NeedMore));
    }
    const FrameParse whole = parseServerFrame(data, 1 << 20);
    QCOMPARE(int(whole.status), int(FrameParse::Status::Complete));
    QCOMPARE(whole.consumed, data.size());
}

void tst_WsFrame::fragmentsAreJoined()
{
    MessageAssembler assembler;
    using Status = MessageAssembler::Message::Status;
    QCOMPARE(int(assembler.push({false, Opcode::Text, "Hel"}).status), int(Status::Partial));
    QVERIFY(assembler.inMessage());
    QCOMPARE(int(assembler.push({false, Opcode::Continuation, "lo, "}).status),
             int(Status::Partial));
    const auto message = assembler.push({true, Opcode::Continuation, "world"});
    QCOMPARE(int(message.status), int(Status::Complete));
    QCOMPARE(int(message.opcode), int(Opcode::Text));
    QCOMPARE(qt(message.payload), QByteArray("Hello, world"));
    QVERIFY(!assembler.inMessage());

    const auto whole = assembler.push({true, Opcode::Binary, "one piece"});
    QCOMPARE(int(whole.status), int(Status::Complete));
    QCOMPARE(int(whole.opcode), int(Opcode::Binary));
    QCOMPARE(qt(whole.payload), QByteArray("one piece"));
}

void tst_WsFrame::controlFramesPassBetweenFragments()
{
    MessageAssembler assembler;
    using Status = MessageAssembler::Message::Status;
    assembler.push({false, Opcode::Binary, "ab"});
    const auto ping = assembler.push({true, Opcode::Ping, "p"});
    QCOMPARE(int(ping.status), int(Status::Complete));
    QCOMPARE(int(ping.opcode), int(Opcode::Ping));
    QCOMPARE(qt(ping.payload), QByteArray("p"));
    const auto message = assembler.push({true, Opcode::Continuation, "cd"});
    QCOMPARE(int(message.opcode), int(Opcode::Binary));
    QCOMPARE(qt(message.payload), QByteArray("abcd"));
}

void tst_WsFrame::fragmentOrderViolationsAreInvalid()
{
    using Status = MessageAssembler::Message::Status;
    MessageAssembler lone;
    QCOMPARE(int(lone.push({true, Opcode::Continuation, "x"}).status), int(Status::Invalid));

    MessageAssembler interleaved;
    interleaved.push({false, Opcode::Text, "a"});
    QCOMPARE(int(interleaved.push({true, Opcode::Text, "b"}).status), int(Status::Invalid));

    MessageAssembler small(4);
    small.push({false, Opcode::Text, "abc"});
    QCOMPARE(int(small.push({true, Opcode::Continuation, "de"}).status), int(Status::Invalid));
}

void tst_WsFrame::closePayload()
{
    const CloseInfo empty = parseClosePayload({});
    QVERIFY(empty.valid);
    QCOMPARE(empty.code, 1005);
    const std::string withReason = bytes({0x10, 0x68}) + "bye";
    const CloseInfo coded = parseClosePayload(withReason);
    QCOMPARE(coded.code, 4200);
    QCOMPARE(qt(coded.reason), QByteArray("bye"));
    QVERIFY(!parseClosePayload("x").valid);
}

void tst_WsFrame::clientFramesAreMaskedAndParseBack_data()
{
    QTest::addColumn<int>("length");

    QTest::newRow("empty") << 0;
    QTest::newRow("odd length under a word") << 7;
    QTest::newRow("100 bytes") << 100;
    QTest::newRow("16-bit length") << 300;
    QTest::newRow("64-bit length") << 70000;
}

void tst_WsFrame::clientFramesAreMaskedAndParseBack()
{
    QFETCH(int, length);

    std::string payload;
    for (int i = 0; i < length; ++i) {
        payload += static_cast<char>('a' + i % 26);
    }
    std::string out = "prefix";
    const std::uint32_t mask = 0xA1B2C3D4;
    appendClientFrame(out, Opcode::Binary, payload, mask);
    QVERIFY(out.starts_with("prefix"));
    const std::string_view frame = std::string_view(out).substr(6);
    QCOMPARE(static_cast<unsigned char>(frame[0]), 0x82);
    QVERIFY((static_cast<unsigned char>(frame[1]) & 0x80) != 0);

    // Unmask by hand and hand the result to the server-frame parser.
    const std::size_t headerLength = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    std::string unmasked(frame.substr(0, headerLength));
    unmasked[1] = static_cast<char>(unmasked[1] & 0x7F);
    const std::string_view key = frame.substr(headerLength, 4);
    const std::string_view body = frame.substr(headerLength + 4);
    QCOMPARE(body.size(), payload.size());
    for (std::size_t i = 0; i < body.size(); ++i) {
        unmasked += static_cast<char>(body[i] ^ key[i % 4]);
    }
    const FrameParse parse = parseServerFrame(unmasked, 1 << 20);
    QCOMPARE(int(parse.status), int(FrameParse::Status::Complete));
    QCOMPARE(qt(parse.frame.payload), qt(payload));
    if (length >= 8) {
        QVERIFY(body.substr(0, 8) != std::string_view(payload).substr(0, 8));
    }
}

void tst_WsFrame::natsOperations_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QByteArray>("subject");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("consumed");

    const int complete = int(NatsOp::Status::Complete);
    const int invalid = int(NatsOp::Status::Invalid);
    const int needMore = int(NatsOp::Status::NeedMore);
    const int msg = int(NatsOp::Kind::Msg);
    QTest::newRow("MSG without reply subject")
            << QByteArray("MSG bench.x 1 5\r\nhello\r\nPING\r\n") << complete << msg
            << QByteArray("bench.x") << QByteArray("hello") << 24;
    QTest::newRow("MSG with a reply subject")
            << QByteArray("MSG a 9 _INBOX.1 2\r\nhi\r\n") << complete << msg << QByteArray("a")
            << QByteArray("hi") << 24;
    QTest::newRow("a payload that holds CRLF")
            << QByteArray("MSG a 1 4\r\n\r\n\r\n\r\n") << complete << msg << QByteArray("a")
            << QByteArray("\r\n\r\n") << 17;
    QTest::newRow("HMSG skips its headers")
            << QByteArray("HMSG a 1 12 14\r\nNATS/1.0\r\n\r\nok\r\n") << complete << msg
            << QByteArray("a") << QByteArray("ok") << 32;
    QTest::newRow("PING") << QByteArray("PING\r\n") << complete << int(NatsOp::Kind::Ping)
                          << QByteArray() << QByteArray() << 6;
    QTest::newRow("lower-case pong")
            << QByteArray("pong\r\n") << complete << int(NatsOp::Kind::Pong) << QByteArray()
            << QByteArray() << 6;
    QTest::newRow("INFO") << QByteArray("INFO {\"server_id\":\"x\"}\r\n") << complete
                          << int(NatsOp::Kind::Info) << QByteArray() << QByteArray() << 24;
    QTest::newRow("-ERR") << QByteArray("-ERR 'Authorization Violation'\r\n") << complete
                          << int(NatsOp::Kind::Err) << QByteArray() << QByteArray() << 32;
    QTest::newRow("a line without its end needs more")
            << QByteArray("MSG a 1 5") << needMore << 0 << QByteArray() << QByteArray() << 0;
    QTest::newRow("a payload without its end needs more")
            << QByteArray("MSG a 1 5\r\nhel") << needMore << 0 << QByteArray() << QByteArray() << 0;
    QTest::newRow("a payload longer than announced is invalid")
            << QByteArray("MSG a 1 2\r\nhello\r\n") << invalid << 0 << QByteArray() << QByteArray()
            << 0;
    QTest::newRow("a non-numeric size is invalid")
            << QByteArray("MSG a 1 x\r\n") << invalid << 0 << QByteArray() << QByteArray() << 0;
    QTest::newRow("an unknown verb is invalid")
            << QByteArray("HELLO\r\n") << invalid << 0 << QByteArray() << QByteArray() << 0;
}

void tst_WsFrame::natsOperations()
{
    QFETCH(QByteArray, data);
    QFETCH(int, status);
    QFETCH(int, kind);
    QFETCH(QByteArray, subject);
    QFETCH(QByteArray, payload);
    QFETCH(int, consumed);

    const NatsOp op = parseNatsOp(std::string_view(data.constData(), std::size_t(data.size())));
    QCOMPARE(int(op.status), status);
    if (op.status != NatsOp::Status::Complete) {
        return;
    }
    QCOMPARE(int(op.kind), kind);
    QCOMPARE(qt(op.subject), subject);
    QCOMPARE(qt(op.payload), payload);
    QCOMPARE(op.consumed, std::size_t(consumed));
}

void tst_WsFrame::natsMessageSplitAcrossChunksNeedsMore()
{
    std::string stream;
    appendNatsPub(stream, "bench", "0123456789");
    QCOMPARE(qt(stream), QByteArray("PUB bench 10\r\n0123456789\r\n"));
    const std::string delivered = "MSG bench 1 10\r\n0123456789\r\n";
    for (std::size_t cut = 0; cut < delivered.size(); ++cut) {
        const NatsOp op = parseNatsOp(std::string_view(delivered).substr(0, cut));
        QCOMPARE(int(op.status), int(NatsOp::Status::NeedMore));
    }
    QCOMPARE(parseNatsOp(delivered).consumed, delivered.size());
}

void tst_WsFrame::pusherFrameMembers()
{
    std::string scratch;
    const std::string_view frame =
            R"({"event":"bench","channel":"c","data":"s=1 t=2 xx","extra":{"a":["}",1]}})";
    QCOMPARE(qt(*jsonString(*jsonMember(frame, "event"), scratch)), QByteArray("bench"));
    QCOMPARE(qt(*jsonString(*jsonMember(frame, "data"), scratch)), QByteArray("s=1 t=2 xx"));
    QCOMPARE(qt(*jsonMember(frame, "extra")), QByteArray(R"({"a":["}",1]})"));
    QVERIFY(!jsonMember(frame, "missing"));
    QVERIFY(!jsonMember("not json", "event"));

    const std::string_view escaped =
            R"({ "data" : "{\"socket_id\":\"1.2\",\"u\":\"\u00e9\ud83d\ude00\"}" })";
    QCOMPARE(qt(*jsonString(*jsonMember(escaped, "data"), scratch)),
             QByteArray("{\"socket_id\":\"1.2\",\"u\":\"\xC3\xA9\xF0\x9F\x98\x80\"}"));
    QVERIFY(!jsonString(R"("\ud83d")", scratch));
    QVERIFY(!jsonString("12", scratch));

    std::string quoted;
    appendJsonString(quoted, "a\"b\\c\n");
    QCOMPARE(qt(quoted), QByteArray(R"("a\"b\\c\u000a")"));
}

void tst_WsFrame::pusherSignatureMatchesTheWorkedExample()
{
    // Worked example B of the Pusher notes: app 42, key probe-key, secret probe-secret.
    const std::string body = R"({"name":"order-shipped","data":"{\"id\":7}","channels":)"
                             R"(["private-orders"],"socket_id":"123.456"})";
    QCOMPARE(qt(md5Hex(body)), QByteArray("075cc089bf3489f7f420c35544908bf7"));
    const PusherApp app{"42", "probe-key", "probe-secret"};
    const std::string request = signedEventsRequest(app, "127.0.0.1:1", 1700000000, body);
    QVERIFY(request.starts_with(
            "POST /apps/42/events?auth_key=probe-key&auth_timestamp=1700000000&auth_version=1.0"
            "&body_md5=075cc089bf3489f7f420c35544908bf7&auth_signature="
            "c4dfe8fadca451fbe6777e668c22522905cc210ee3d17c500e3931a366add411 HTTP/1.1\r\n"));
    QVERIFY(request.find("\r\nContent-Length: " + std::to_string(body.size()) + "\r\n")
            != std::string::npos);
    QVERIFY(request.ends_with("\r\n\r\n" + body));
    QCOMPARE(qt(eventsBody("c", "e", "d\"")),
             QByteArray(R"({"name":"e","channel":"c","data":"d\""})"));
}

void tst_WsFrame::httpResponses()
{
    const std::string two = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: 2\r\nConnection: keep-alive\r\n\r\n{}"
                            "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n";
    const HttpResponseParse first = parseHttpResponse(two);
    QCOMPARE(int(first.status), int(HttpResponseParse::Status::Complete));
    QCOMPARE(first.httpStatus, 200);
    QVERIFY(!first.closes);
    const HttpResponseParse second =
            parseHttpResponse(std::string_view(two).substr(first.consumed));
    QCOMPARE(second.httpStatus, 401);
    QCOMPARE(first.consumed + second.consumed, two.size());
    QCOMPARE(int(parseHttpResponse(std::string_view(two).substr(0, first.consumed - 1)).status),
             int(HttpResponseParse::Status::NeedMore));
    QCOMPARE(int(parseHttpResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").status),
             int(HttpResponseParse::Status::Invalid));
    QVERIFY(parseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .closes);
}

void tst_WsFrame::benchPayloadRoundTrips()
{
    const std::string payload = benchPayload({42, 1234567890123}, 100);
    QCOMPARE(payload.size(), std::size_t(100));
    QVERIFY(payload.starts_with("s=42 t=1234567890123 x"));
    PayloadStamp stamp;
    QVERIFY(parseBenchPayload(payload, stamp));
    QCOMPARE(stamp.sequence, std::uint64_t(42));
    QCOMPARE(stamp.sentNs, std::int64_t(1234567890123));
    QVERIFY(!parseBenchPayload("s=1", stamp));
    QVERIFY(!parseBenchPayload("hello", stamp));
}

void tst_WsFrame::natsConnectAsksForAcknowledgements()
{
    QVERIFY(natsConnect().starts_with(R"(CONNECT {"verbose":false,)"));
    QVERIFY(natsConnect(true).starts_with(R"(CONNECT {"verbose":true,)"));
    QVERIFY(natsConnect(true).ends_with("}\r\n"));
}

void tst_WsFrame::histogramIsExactForSmallValues()
{
    LatencyHistogram histogram;
    for (std::int64_t value = 1000; value >= 1; --value) {
        histogram.record(value);
    }
    QCOMPARE(histogram.count(), std::uint64_t(1000));
    QCOMPARE(histogram.min(), std::int64_t(1));
    QCOMPARE(histogram.max(), std::int64_t(1000));
    QCOMPARE(histogram.mean(), 500.5);
    // The sample of rank ceil(q * n).
    QCOMPARE(histogram.percentile(0.5), std::int64_t(500));
    QCOMPARE(histogram.percentile(0.99), std::int64_t(990));
    QCOMPARE(histogram.percentile(0.999), std::int64_t(999));
    QCOMPARE(histogram.percentile(1.0), std::int64_t(1000));
    QCOMPARE(histogram.percentile(0.0), std::int64_t(1));
    QCOMPARE(histogram.clamped(), std::uint64_t(0));
}

void tst_WsFrame::histogramBucketsTileTheRange()
{
    // Each bucket starts one past the end of the one before, and holds its values.
    const std::size_t last = LatencyHistogram::bucketOf(LatencyHistogram::MaxValue);
    for (std::size_t bucket = 1; bucket <= last; ++bucket) {
        const std::int64_t lowest = LatencyHistogram::bucketLowest(bucket);
        const std::int64_t highest = LatencyHistogram::bucketHighest(bucket);
        if (lowest != LatencyHistogram::bucketHighest(bucket - 1) + 1 || highest < lowest
            || LatencyHistogram::bucketOf(lowest) != bucket
            || LatencyHistogram::bucketOf(highest) != bucket) {
            QFAIL(qPrintable(
                    QStringLiteral("bucket %1 holds %2..%3").arg(bucket).arg(lowest).arg(highest)));
        }
        // At most 0.1 % wide, so a percentile is read back within 0.1 % of the true value.
        if (double(highest - lowest + 1) > double(lowest) / 1000.0 + 1) {
            QFAIL(qPrintable(QStringLiteral("bucket %1 is too wide").arg(bucket)));
        }
    }
    QCOMPARE(LatencyHistogram::bucketHighest(last), LatencyHistogram::MaxValue);
    QCOMPARE(LatencyHistogram::bucketOf(2047), std::size_t(2047));
    QCOMPARE(LatencyHistogram::bucketOf(2048), std::size_t(2048));
    QCOMPARE(LatencyHistogram::bucketOf(2049), std::size_t(2048));
    QCOMPARE(LatencyHistogram::bucketLowest(2049), std::int64_t(2050));
}

void tst_WsFrame::histogramPercentilesOfLargeValues()
{
    // 100,000 samples of 10 us to 1 s, evenly spread on a log scale; each percentile must come
    // back at or above the exact one and at most 0.1 % above it.
    LatencyHistogram histogram;
    std::vector<std::int64_t> values;
    for (int i = 0; i < 100000; ++i) {
        values.push_back(std::int64_t(1e4 * std::pow(1e5, double(i) / 99999.0)));
        histogram.record(values.back());
    }
    for (const double q : {0.5, 0.9, 0.99, 0.999, 0.9999}) {
        const std::int64_t exact = values[std::size_t(std::ceil(q * 100000)) - 1];
        const std::int64_t read = histogram.percentile(q);
        QVERIFY2(read >= exact && double(read) <= double(exact) * 1.001,
                 qPrintable(QStringLiteral("q %1: %2 for %3").arg(q).arg(read).arg(exact)));
    }
    QCOMPARE(histogram.percentile(1.0), values.back());
}

void tst_WsFrame::histogramEdges()
{
    LatencyHistogram histogram;
    QCOMPARE(histogram.percentile(0.5), std::int64_t(0));
    QCOMPARE(histogram.min(), std::int64_t(0));
    QCOMPARE(histogram.mean(), 0.0);
    histogram.record(-5);
    histogram.record(LatencyHistogram::MaxValue + 1000);
    QCOMPARE(histogram.count(), std::uint64_t(2));
    QCOMPARE(histogram.clamped(), std::uint64_t(2));
    QCOMPARE(histogram.min(), std::int64_t(0));
    QCOMPARE(histogram.max(), LatencyHistogram::MaxValue);
    QCOMPARE(histogram.percentile(0.5), std::int64_t(0));
    QCOMPARE(histogram.percentile(1.0), LatencyHistogram::MaxValue);
    // A lone value reads back as itself, not as the top of its bucket.
    LatencyHistogram one;
    one.record(123'456'789);
    QCOMPARE(one.percentile(0.5), std::int64_t(123'456'789));
}

void tst_WsFrame::sockDiagRequestNamesOneSocket()
{
    const Ipv4Address server{htonl(0x7F000001), 6001};
    const Ipv4Address client{htonl(0x7F000005), 40123};
    const std::string request = sockDiagRequest(server, client, 7);

    struct
    {
        nlmsghdr header;
        inet_diag_req_v2 body;
    } read;

    QCOMPARE(request.size(), sizeof read);
    std::memcpy(&read, request.data(), sizeof read);
    QCOMPARE(read.header.nlmsg_len, std::uint32_t(sizeof read));
    QCOMPARE(read.header.nlmsg_type, std::uint16_t(SOCK_DIAG_BY_FAMILY));
    // An exact lookup, not a dump of every socket.
    QCOMPARE(read.header.nlmsg_flags, std::uint16_t(NLM_F_REQUEST));
    QCOMPARE(read.header.nlmsg_seq, std::uint32_t(7));
    QCOMPARE(read.body.sdiag_family, std::uint8_t(AF_INET));
    QCOMPARE(read.body.sdiag_protocol, std::uint8_t(IPPROTO_TCP));
    QCOMPARE(ntohs(read.body.id.idiag_sport), std::uint16_t(6001));
    QCOMPARE(ntohs(read.body.id.idiag_dport), std::uint16_t(40123));
    QCOMPARE(ntohl(read.body.id.idiag_src[0]), std::uint32_t(0x7F000001));
    QCOMPARE(ntohl(read.body.id.idiag_dst[0]), std::uint32_t(0x7F000005));
    QCOMPARE(read.body.id.idiag_cookie[0], std::uint32_t(INET_DIAG_NOCOOKIE));
    QCOMPARE(read.body.id.idiag_cookie[1], std::uint32_t(INET_DIAG_NOCOOKIE));
}

void tst_WsFrame::sockDiagReplies()
{
    inet_diag_msg found{};
    found.idiag_family = AF_INET;
    found.idiag_state = TCP_FIN_WAIT1;
    found.idiag_rqueue = 12;
    found.idiag_wqueue = 2'500'000;
    found.idiag_inode = 0;
    const std::string message = netlinkMessage(SOCK_DIAG_BY_FAMILY, found);
    const TcpSocketState state = parseSockDiagReply(message);
    QCOMPARE(state.status, TcpSocketState::Status::Found);
    QCOMPARE(state.state, std::uint8_t(TCP_FIN_WAIT1));
    QCOMPARE(state.receiveQueue, std::uint32_t(12));
    QCOMPARE(state.sendQueue, std::uint32_t(2'500'000));
    QCOMPARE(state.inode, std::uint32_t(0));
    QCOMPARE(tcpStateName(state.state), "FIN_WAIT1"sv);
    QCOMPARE(tcpStateName(TCP_ESTABLISHED), "ESTABLISHED"sv);
    QCOMPARE(tcpStateName(TCP_LISTEN), "LISTEN"sv);
    QCOMPARE(tcpStateName(TCP_CLOSING), "CLOSING"sv);
    QCOMPARE(tcpStateName(200), "UNKNOWN"sv);

    // Read from an odd address, as the parser must not assume alignment.
    const std::string shifted = " " + message;
    QCOMPARE(parseSockDiagReply(std::string_view(shifted).substr(1)).sendQueue,
             std::uint32_t(2'500'000));

    nlmsgerr notFound{};
    notFound.error = -ENOENT;
    QCOMPARE(parseSockDiagReply(netlinkMessage(NLMSG_ERROR, notFound)).status,
             TcpSocketState::Status::NotFound);
    nlmsgerr denied{};
    denied.error = -EPERM;
    QCOMPARE(parseSockDiagReply(netlinkMessage(NLMSG_ERROR, denied)).status,
             TcpSocketState::Status::Invalid);

    // Cut short, a length past the end, another message type: nothing is read.
    QCOMPARE(parseSockDiagReply(std::string_view(message).substr(0, 10)).status,
             TcpSocketState::Status::Invalid);
    QCOMPARE(parseSockDiagReply(std::string_view(message).substr(0, message.size() - 8)).status,
             TcpSocketState::Status::Invalid);
    QCOMPARE(parseSockDiagReply(netlinkMessage(NLMSG_DONE, found)).status,
             TcpSocketState::Status::Invalid);
    nlmsghdr shortHeader{};
    shortHeader.nlmsg_len = NLMSG_LENGTH(4);
    shortHeader.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    std::string tooShort(NLMSG_SPACE(4), '\0');
    std::memcpy(tooShort.data(), &shortHeader, sizeof shortHeader);
    QCOMPARE(parseSockDiagReply(tooShort).status, TcpSocketState::Status::Invalid);
}

QTEST_GUILESS_MAIN(tst_WsFrame)
#include "tst_wsframe.moc"
