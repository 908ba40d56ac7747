#include <common/crypto/digest.h>
#include <common/pusher/signatures.h>

#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Pusher;
using namespace Qt::Literals::StringLiterals;

using QueryPairs = QList<QPair<QByteArray, QByteArray>>;

namespace {

// Every expected digest below was computed with `openssl dgst` outside this code base
// (see the Pusher protocol brief, sections 1.5, 1.6, 2.1, 2.4 and 3).
constexpr auto DocsSecret = "7ad3773142a6692b25b8";
constexpr auto DocsKey = "278d425bdf160c739803";
constexpr auto ProbeSecret = "probe-secret";
constexpr auto ProbeKey = "probe-key";

QByteArray docsSecret()
{
    return QByteArray(DocsSecret);
}

QByteArray probeSecret()
{
    return QByteArray(ProbeSecret);
}

// Worked example A of the brief: the request from Pusher's own documentation.
QByteArray exampleABody()
{
    return "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}"_ba;
}

// Worked example B of the brief: a 96-byte trigger body.
QByteArray exampleBBody()
{
    return "{\"name\":\"order-shipped\",\"data\":\"{\\\"id\\\":7}\",\"channels\":[\"private-orders\"],\"socket_id\":\"123.456\"}"_ba;
}

// A client's `key:signature` auth token.
QByteArray tokenOf(const QByteArray &key, const QByteArray &signature)
{
    return key + ':' + signature;
}

} // namespace

class tst_Signatures final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void channelAuthPayload_data();
    void channelAuthPayload();
    void userAuthPayload();
    void sign_data();
    void sign();
    void presenceVectorIsNotTheStaleDocumentedOne();
    void apiStringToSign_data();
    void apiStringToSign();
    void apiSignature_data();
    void apiSignature();
    void md5Hex_data();
    void md5Hex();
    void encryptedSharedSecret();
    void verifyAuthToken_data();
    void verifyAuthToken();
    void constantTimeEquals_data();
    void constantTimeEquals();
};

void tst_Signatures::channelAuthPayload_data()
{
    QTest::addColumn<QByteArray>("socketId");
    QTest::addColumn<QByteArray>("channel");
    QTest::addColumn<QByteArray>("channelData");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("a private channel signs socket id and channel")
            << "1234.1234"_ba
            << "private-foobar"_ba << QByteArray() << "1234.1234:private-foobar"_ba;
    QTest::newRow("an encrypted channel signs socket id and channel like a private one")
            << "123.456"_ba
            << "private-encrypted-room"_ba << QByteArray() << "123.456:private-encrypted-room"_ba;
    QTest::newRow("a presence channel appends the channel data exactly as sent")
            << "1234.1234"_ba
            << "presence-foobar"_ba
            << "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Channels\"}}"_ba
            << "1234.1234:presence-foobar:{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Channels\"}}"_ba;
    QTest::newRow("channel data with spaces is not re-serialised")
            << "1.2"_ba
            << "presence-x"_ba
            << "{ \"user_id\" : \"u1\" }"_ba
            << "1.2:presence-x:{ \"user_id\" : \"u1\" }"_ba;
}

void tst_Signatures::channelAuthPayload()
{
    QFETCH(QByteArray, socketId);
    QFETCH(QByteArray, channel);
    QFETCH(QByteArray, channelData);
    QFETCH(QByteArray, expected);

    QCOMPARE(Pusher::channelAuthPayload(socketId, channel, channelData), expected);
}

void tst_Signatures::userAuthPayload()
{
    QCOMPARE(Pusher::userAuthPayload("1234.1234"_ba, "{\"id\":\"12345\"}"_ba),
             "1234.1234::user::{\"id\":\"12345\"}"_ba);
}

void tst_Signatures::sign_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("the documented private channel vector matches")
            << docsSecret() << Pusher::channelAuthPayload("1234.1234"_ba, "private-foobar"_ba)
            << "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"_ba;
    QTest::newRow("the documented user signin vector matches")
            << docsSecret() << Pusher::userAuthPayload("1234.1234"_ba, "{\"id\":\"12345\"}"_ba)
            << "4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba"_ba;
    QTest::newRow("the presence vector computed with openssl matches")
            << docsSecret()
            << Pusher::channelAuthPayload(
                       "1234.1234"_ba, "presence-foobar"_ba,
                       "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Channels\"}}"_ba)
            << "31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80"_ba;
    QTest::newRow("a private channel signed with the probe secret matches")
            << probeSecret() << Pusher::channelAuthPayload("123.456"_ba, "private-orders"_ba)
            << "31760f504ce898b4881525183ca365ff5de5a43caaf031ea810e3a7106ecfbee"_ba;
    // The brief leaves out the channel of this vector; openssl reproduces it for presence-room.
    QTest::newRow("a presence channel signed with the probe secret matches")
            << probeSecret()
            << Pusher::channelAuthPayload(
                       "123.456"_ba, "presence-room"_ba,
                       "{\"user_id\":\"u1\",\"user_info\":{\"name\":\"Ada\"}}"_ba)
            << "7ee736cadd3fd93ad946496f9110122866f96c8930658bb7660c6ab85247c0b4"_ba;
    QTest::newRow("a user with info and a watchlist signed with the probe secret matches")
            << probeSecret()
            << Pusher::userAuthPayload(
                       "123.456"_ba,
                       "{\"id\":\"u1\",\"user_info\":{\"name\":\"Ada\"},\"watchlist\":[\"u2\",\"u3\"]}"_ba)
            << "5d502a287b2e1c450e16b5c313cec36ec16d9ad0d543c75f92abfb6521dbf18a"_ba;
    QTest::newRow("a webhook body signed with the probe secret matches")
            << probeSecret()
            << "{\"time_ms\":1700000000123,\"events\":[{\"name\":\"channel_occupied\",\"channel\":\"presence-room\"}]}"_ba
            << "6e6f91ca25c6e655eda58da0c2b38a80e7356dd1c9ae2d827d6eaa92476014b6"_ba;
}

void tst_Signatures::sign()
{
    QFETCH(QByteArray, secret);
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, expected);

    QCOMPARE(Pusher::sign(secret, payload), expected);
}

void tst_Signatures::presenceVectorIsNotTheStaleDocumentedOne()
{
    // Pusher's documentation prints this digest beside "Mr. Channels", but it belongs to
    // "Mr. Pusher"; a correct HMAC must not reproduce it for the text the docs show.
    const QByteArray payload = Pusher::channelAuthPayload(
            "1234.1234"_ba, "presence-foobar"_ba,
            "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Channels\"}}"_ba);
    QVERIFY(!Pusher::sign(docsSecret(), payload).startsWith("afaed369"));

    const QByteArray stalePayload = Pusher::channelAuthPayload(
            "1234.1234"_ba, "presence-foobar"_ba,
            "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Pusher\"}}"_ba);
    QVERIFY(Pusher::sign(docsSecret(), stalePayload).startsWith("afaed369"));
}

void tst_Signatures::apiStringToSign_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QueryPairs>("query");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("the documented POST request is joined in key order")
            << "POST"_ba
            << "/apps/3/events"_ba
            << QueryPairs{{"auth_key"_ba, QByteArray(DocsKey)},
                          {"auth_timestamp"_ba, "1353088179"_ba},
                          {"auth_version"_ba, "1.0"_ba},
                          {"body_md5"_ba, "ec365a775a4cd0599faeb73354201b6f"_ba}}
            << "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179"
               "&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f"_ba;
    QTest::newRow("pairs in arrival order are sorted and auth_signature is dropped")
            << "GET"_ba
            << "/apps/42/channels"_ba << QueryPairs{{"info"_ba, "user_count,subscription_count"_ba},
                                                    {"auth_signature"_ba, "ffff"_ba},
                                                    {"filter_by_prefix"_ba, "presence-"_ba},
                                                    {"auth_version"_ba, "1.0"_ba},
                                                    {"auth_timestamp"_ba, "1700000000"_ba},
                                                    {"auth_key"_ba, QByteArray(ProbeKey)}}
            << "GET\n/apps/42/channels\nauth_key=probe-key&auth_timestamp=1700000000"
               "&auth_version=1.0&filter_by_prefix=presence-&info=user_count,subscription_count"_ba;
    QTest::newRow("keys are lower-cased before sorting")
            << "GET"_ba
            << "/apps/1/channels"_ba
            << QueryPairs{{"Info"_ba, "user_count"_ba}, {"AUTH_KEY"_ba, "k"_ba}}
            << "GET\n/apps/1/channels\nauth_key=k&info=user_count"_ba;
    QTest::newRow("decoded values are not escaped again")
            << "GET"_ba
            << "/apps/1/channels"_ba << QueryPairs{{"filter_by_prefix"_ba, "a b&c=d%2C"_ba}}
            << "GET\n/apps/1/channels\nfilter_by_prefix=a b&c=d%2C"_ba;
    QTest::newRow("a request without parameters ends after the path")
            << "GET"_ba
            << "/apps/1/channels"_ba << QueryPairs{} << "GET\n/apps/1/channels\n"_ba;
}

void tst_Signatures::apiStringToSign()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QueryPairs, query);
    QFETCH(QByteArray, expected);

    QCOMPARE(Pusher::apiStringToSign(method, path, query), expected);
}

void tst_Signatures::apiSignature_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QueryPairs>("query");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("worked example A (the documented request) matches")
            << docsSecret() << "POST"_ba
            << "/apps/3/events"_ba
            << QueryPairs{{"auth_key"_ba, QByteArray(DocsKey)},
                          {"auth_timestamp"_ba, "1353088179"_ba},
                          {"auth_version"_ba, "1.0"_ba},
                          {"body_md5"_ba, "ec365a775a4cd0599faeb73354201b6f"_ba}}
            << "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"_ba;
    QTest::newRow("worked example B for a channels query matches")
            << probeSecret() << "GET"_ba
            << "/apps/42/channels"_ba
            << QueryPairs{{"filter_by_prefix"_ba, "presence-"_ba},
                          {"info"_ba, "user_count,subscription_count"_ba},
                          {"auth_key"_ba, QByteArray(ProbeKey)},
                          {"auth_timestamp"_ba, "1700000000"_ba},
                          {"auth_version"_ba, "1.0"_ba}}
            << "4d6bbf0d9832ebf431303f3618dea8a4ebb7b569890ec31e7a5b6df0983a7e87"_ba;
    QTest::newRow("worked example B for a trigger matches")
            << probeSecret() << "POST"_ba
            << "/apps/42/events"_ba
            << QueryPairs{{"auth_key"_ba, QByteArray(ProbeKey)},
                          {"auth_timestamp"_ba, "1700000000"_ba},
                          {"auth_version"_ba, "1.0"_ba},
                          {"body_md5"_ba, "075cc089bf3489f7f420c35544908bf7"_ba}}
            << "c4dfe8fadca451fbe6777e668c22522905cc210ee3d17c500e3931a366add411"_ba;
}

void tst_Signatures::apiSignature()
{
    QFETCH(QByteArray, secret);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QueryPairs, query);
    QFETCH(QByteArray, expected);

    QCOMPARE(Pusher::sign(secret, Pusher::apiStringToSign(method, path, query)), expected);
}

void tst_Signatures::md5Hex_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("the empty object of terminate_connections")
            << "{}"_ba
            << "99914b932bd37a50b983c5e7c90ae93b"_ba;
    QTest::newRow("the body of worked example A")
            << exampleABody() << "ec365a775a4cd0599faeb73354201b6f"_ba;
    QTest::newRow("the 96-byte body of worked example B")
            << exampleBBody() << "075cc089bf3489f7f420c35544908bf7"_ba;
    QTest::newRow("an empty body") << QByteArray() << "d41d8cd98f00b204e9800998ecf8427e"_ba;
}

void tst_Signatures::md5Hex()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);

    QCOMPARE(Crypto::md5Hex(body), expected);
}

void tst_Signatures::encryptedSharedSecret()
{
    QCOMPARE(exampleBBody().size(), 96);
    const QByteArray masterKey(32, '\x07');
    const QByteArray digest = Crypto::sha256("private-encrypted-room"_ba + masterKey);
    QCOMPARE(digest.toBase64(), "KXpzU7x7m1mlSYZdKpG3V5uOThnYXRV95gd0BXYycC4="_ba);
}

void tst_Signatures::verifyAuthToken_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("accepted");

    const QByteArray payload = "123.456:private-orders"_ba;
    const QByteArray hex = "31760f504ce898b4881525183ca365ff5de5a43caaf031ea810e3a7106ecfbee"_ba;
    const QByteArray key = QByteArray(ProbeKey);

    QTest::newRow("the key and the right signature are accepted")
            << tokenOf(key, hex) << payload << true;
    QTest::newRow("an upper-case hex signature is accepted")
            << tokenOf(key, hex.toUpper()) << payload << true;
    QTest::newRow("a presence token over the exact channel data is accepted")
            << tokenOf(key, "7ee736cadd3fd93ad946496f9110122866f96c8930658bb7660c6ab85247c0b4"_ba)
            << "123.456:presence-room:{\"user_id\":\"u1\",\"user_info\":{\"name\":\"Ada\"}}"_ba
            << true;
    QTest::newRow("another app's key before the colon is refused")
            << tokenOf("other-key"_ba, hex) << payload << false;
    QTest::newRow("a key that is only a prefix of the app key is refused")
            << tokenOf("probe"_ba, hex) << payload << false;
    QTest::newRow("a key that extends the app key is refused")
            << tokenOf("probe-key-2"_ba, hex) << payload << false;
    QTest::newRow("a token without a colon is refused") << hex << payload << false;
    QTest::newRow("a key and signature glued without a colon are refused")
            << QByteArray(key + hex) << payload << false;
    QTest::newRow("an empty token is refused") << QByteArray() << payload << false;
    QTest::newRow("a key with an empty signature is refused")
            << tokenOf(key, {}) << payload << false;
    QTest::newRow("a signature one character short is refused")
            << tokenOf(key, hex.chopped(1)) << payload << false;
    QTest::newRow("a signature with one extra character is refused")
            << tokenOf(key, hex + '0') << payload << false;
    QTest::newRow("a signature with a trailing colon and text is refused")
            << tokenOf(key, hex + ":x") << payload << false;
    QTest::newRow("the binary digest instead of hex is refused")
            << tokenOf(key, QByteArray::fromHex(hex)) << payload << false;
    QTest::newRow("a signature for another socket is refused")
            << tokenOf(key, hex) << "123.457:private-orders"_ba << false;
    QTest::newRow("a signature for another channel is refused")
            << tokenOf(key, hex) << "123.456:private-order"_ba << false;
    QTest::newRow("a signature made with another secret is refused")
            << tokenOf(key, Pusher::sign("other-secret"_ba, payload)) << payload << false;
    QTest::newRow("a presence signature over re-serialised channel data is refused")
            << tokenOf(key, "7ee736cadd3fd93ad946496f9110122866f96c8930658bb7660c6ab85247c0b4"_ba)
            << "123.456:presence-room:{\"user_id\": \"u1\", \"user_info\": {\"name\": \"Ada\"}}"_ba
            << false;
}

void tst_Signatures::verifyAuthToken()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, payload);
    QFETCH(bool, accepted);

    QCOMPARE(Pusher::verifyAuthToken(token, QByteArray(ProbeKey), probeSecret(), payload),
             accepted);
}

void tst_Signatures::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");

    QTest::newRow("identical bytes are equal") << "abcdef"_ba
                                               << "abcdef"_ba << true;
    QTest::newRow("two empty arrays are equal") << QByteArray() << QByteArray() << true;
    QTest::newRow("a difference in the last byte is found") << "abcdef"_ba
                                                            << "abcdeg"_ba << false;
    QTest::newRow("a difference in the first byte is found") << "abcdef"_ba
                                                             << "bbcdef"_ba << false;
    QTest::newRow("a prefix of the other is not equal") << "abcde"_ba
                                                        << "abcdef"_ba << false;
    QTest::newRow("a longer array is not equal to its prefix") << "abcdef"_ba
                                                               << "abcde"_ba << false;
    QTest::newRow("an empty array is not equal to a non-empty one")
            << QByteArray() << "a"_ba << false;
    QTest::newRow("bytes after a NUL are compared") << "a\0b"_ba
                                                    << "a\0c"_ba << false;
}

void tst_Signatures::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);

    QCOMPARE(Crypto::constantTimeEquals(a, b), equal);
}

QTEST_GUILESS_MAIN(tst_Signatures)
#include "tst_signatures.moc"
