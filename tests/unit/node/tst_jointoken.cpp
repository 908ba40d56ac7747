#include <common/tokens/base64url.h>
#include <node/cluster/jointoken.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Cluster;
using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray Secret = "correct horse battery staple"_ba;
constexpr qint64 ExpiresAt = 1700000000;

// Computed outside the code under test:
//   printf 'dnotifier cluster\n%s' 'correct horse battery staple' | sha256sum
//   printf 'dnotifier join\n%s' 1700000000 | openssl dgst -sha256 -hmac 'correct horse battery staple'
const QString ExpectedClusterId = u"c48e425beaa2569103419810ddf173cbd"_s;
const QByteArray ExpectedMacHex =
        "bb6afc1da397f87367f341b19b59f4d067f47821dc8a6767c9bb21ad0f6fd392"_ba;

QString base64Text(const QByteArray &data)
{
    return QString::fromLatin1(Tokens::base64UrlEncode(data));
}

QString tokenFromJson(const QByteArray &json)
{
    return u"dnj1."_s + base64Text(json);
}

QString tokenFromObject(const QJsonObject &object)
{
    return tokenFromJson(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// The payload of a well-formed token for Secret, built by hand from the documented format.
QJsonObject validPayload()
{
    return QJsonObject{
            {u"c"_s, ExpectedClusterId},
            {u"s"_s, base64Text(Secret)},
            {u"a"_s, QJsonArray{u"10.0.0.1:6002"_s}},
            {u"e"_s, ExpiresAt},
            {u"m"_s, base64Text(QByteArray::fromHex(ExpectedMacHex))},
    };
}

QJsonObject payloadOf(const QString &token)
{
    const auto json = Tokens::base64UrlDecode(token.sliced(5).toLatin1());
    return json ? QJsonDocument::fromJson(*json).object() : QJsonObject();
}

} // namespace

class tst_JoinToken final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void joinMacMatchesAnIndependentHmac();
    void encodedTokenHasTheDocumentedPayload();
    void roundTrip_data();
    void roundTrip();
    void handBuiltTokenDecodes();
    void malformedText_data();
    void malformedText();
    void malformedField_data();
    void malformedField();
    void tamperedTokenIsRefused_data();
    void tamperedTokenIsRefused();
    void credentialCheck_data();
    void credentialCheck();
    void seedAddresses_data();
    void seedAddresses();
};

void tst_JoinToken::joinMacMatchesAnIndependentHmac()
{
    QCOMPARE(joinMac(Secret, ExpiresAt).toHex(), ExpectedMacHex);
}

void tst_JoinToken::encodedTokenHasTheDocumentedPayload()
{
    const QString token = encodeJoinToken(Secret, {u"10.0.0.1:6002"_s}, ExpiresAt);

    QVERIFY(token.startsWith(u"dnj1."_s));
    QVERIFY2(!token.contains(u'='), qPrintable(token));
    QCOMPARE(payloadOf(token), validPayload());
}

void tst_JoinToken::roundTrip_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QList<QString>>("seeds");

    QTest::newRow("one IPv4 seed") << Secret << QList<QString>{u"127.0.0.1:6002"_s};
    QTest::newRow("several seeds with a host name and an IPv6 address")
            << "another secret"_ba
            << QList<QString>{u"node-1.example.com:7000"_s, u"[::1]:6002"_s, u"10.1.2.3:1"_s};
    QTest::newRow("a secret of arbitrary bytes")
            << QByteArray("\x00\xff\x10 ab", 6) << QList<QString>{u"seed:65535"_s};
}

void tst_JoinToken::roundTrip()
{
    QFETCH(QByteArray, secret);
    QFETCH(QList<QString>, seeds);

    const Result<JoinToken> decoded = decodeJoinToken(encodeJoinToken(secret, seeds, ExpiresAt));
    QVERIFY2(decoded, qPrintable(decoded.error().message));
    QCOMPARE(decoded->secret, secret);
    QCOMPARE(decoded->seeds, seeds);
    QCOMPARE(decoded->expiresAt, ExpiresAt);
    QCOMPARE(decoded->mac, joinMac(secret, ExpiresAt));
    QVERIFY(decoded->clusterId.startsWith(u'c'));
    QCOMPARE(decoded->clusterId.size(), 33);
}

void tst_JoinToken::handBuiltTokenDecodes()
{
    const Result<JoinToken> decoded = decodeJoinToken(tokenFromObject(validPayload()));
    QVERIFY2(decoded, qPrintable(decoded.error().message));
    QCOMPARE(decoded->clusterId, ExpectedClusterId);
    QCOMPARE(decoded->secret, Secret);
    QCOMPARE(decoded->seeds, QList<QString>{u"10.0.0.1:6002"_s});
    QCOMPARE(decoded->expiresAt, ExpiresAt);
    QCOMPARE(decoded->mac.toHex(), ExpectedMacHex);
}

void tst_JoinToken::malformedText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("problem");

    const QString valid = tokenFromObject(validPayload());
    const QString noPrefix = u"the join token does not start with \"dnj1.\""_s;
    const QString notBase64 = u"the join token is not base64url after \"dnj1.\""_s;
    const QString notObject = u"the join token's payload is not a JSON object"_s;

    QTest::newRow("an empty text has no prefix") << QString() << noPrefix;
    QTest::newRow("a token without its prefix") << valid.sliced(5) << noPrefix;
    QTest::newRow("a token of another version") << u"dnj2."_s + valid.sliced(5) << noPrefix;
    QTest::newRow("characters outside base64url") << u"dnj1.e30*"_s << notBase64;
    QTest::newRow("padded base64") << u"dnj1.e30="_s << notBase64;
    QTest::newRow("a token cut by one character") << valid.chopped(1) << notBase64;
    QTest::newRow("nothing after the prefix") << u"dnj1."_s << notObject;
    QTest::newRow("a payload that is not JSON") << tokenFromJson("not json"_ba) << notObject;
    QTest::newRow("a payload that is a JSON array") << tokenFromJson("[1,2]"_ba) << notObject;
}

void tst_JoinToken::malformedText()
{
    QFETCH(QString, text);
    QFETCH(QString, problem);

    const Result<JoinToken> decoded = decodeJoinToken(text);
    QVERIFY(!decoded);
    QVERIFY2(decoded.error().message.startsWith(problem), qPrintable(decoded.error().message));
}

void tst_JoinToken::malformedField_data()
{
    QTest::addColumn<QString>("key");
    // Undefined removes the field.
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("problem");

    const QJsonValue missing(QJsonValue::Undefined);
    const QString badSeed =
            u"the join token's \"a\" (seeds) has a bad entry: \"%1\" is not a seed address; expected host:port"_s;

    QTest::newRow("no cluster fingerprint")
            << u"c"_s << missing
            << u"the join token's \"c\" (cluster fingerprint) is missing or not a string"_s;
    QTest::newRow("a cluster fingerprint that is a number")
            << u"c"_s << QJsonValue(7)
            << u"the join token's \"c\" (cluster fingerprint) is missing or not a string"_s;
    QTest::newRow("no secret") << u"s"_s << missing
                               << u"the join token's \"s\" (secret) is missing or not a string"_s;
    QTest::newRow("a secret that is not base64url")
            << u"s"_s << QJsonValue(u"a+b/"_s)
            << u"the join token's \"s\" (secret) is not base64url"_s;
    QTest::newRow("an empty secret")
            << u"s"_s << QJsonValue(u""_s) << u"the join token's \"s\" (secret) is empty"_s;
    QTest::newRow("no seeds") << u"a"_s << missing
                              << u"the join token's \"a\" (seeds) is missing or not an array"_s;
    QTest::newRow("seeds given as one string")
            << u"a"_s << QJsonValue(u"10.0.0.1:6002"_s)
            << u"the join token's \"a\" (seeds) is missing or not an array"_s;
    QTest::newRow("an empty seed list") << u"a"_s << QJsonValue(QJsonArray())
                                        << u"the join token's \"a\" (seeds) lists no seed"_s;
    QTest::newRow("a seed that is a number")
            << u"a"_s << QJsonValue(QJsonArray{6002})
            << u"the join token's \"a\" (seeds) has an entry that is not a string"_s;
    QTest::newRow("a seed without a port")
            << u"a"_s << QJsonValue(QJsonArray{u"10.0.0.1"_s}) << badSeed.arg(u"10.0.0.1"_s);
    QTest::newRow("a seed without a host")
            << u"a"_s << QJsonValue(QJsonArray{u":6002"_s}) << badSeed.arg(u":6002"_s);
    QTest::newRow("a seed with port 0")
            << u"a"_s << QJsonValue(QJsonArray{u"host:0"_s}) << badSeed.arg(u"host:0"_s);
    QTest::newRow("a seed with a port above 65535")
            << u"a"_s << QJsonValue(QJsonArray{u"host:65536"_s}) << badSeed.arg(u"host:65536"_s);
    QTest::newRow("a seed with a named port")
            << u"a"_s << QJsonValue(QJsonArray{u"host:http"_s}) << badSeed.arg(u"host:http"_s);
    QTest::newRow("a seed with an IPv6 address outside brackets")
            << u"a"_s << QJsonValue(QJsonArray{u"::1:6002"_s}) << badSeed.arg(u"::1:6002"_s);
    QTest::newRow("a seed whose host has a space")
            << u"a"_s << QJsonValue(QJsonArray{u"a host:6002"_s}) << badSeed.arg(u"a host:6002"_s);
    QTest::newRow("no expiry")
            << u"e"_s << missing
            << u"the join token's \"e\" (expiry) is missing or not a positive whole number of unix seconds"_s;
    QTest::newRow("an expiry given as a string")
            << u"e"_s << QJsonValue(u"1700000000"_s)
            << u"the join token's \"e\" (expiry) is missing or not a positive whole number of unix seconds"_s;
    QTest::newRow("an expiry with a fraction")
            << u"e"_s << QJsonValue(1700000000.5)
            << u"the join token's \"e\" (expiry) is missing or not a positive whole number of unix seconds"_s;
    QTest::newRow("a negative expiry")
            << u"e"_s << QJsonValue(-5)
            << u"the join token's \"e\" (expiry) is missing or not a positive whole number of unix seconds"_s;
    QTest::newRow("no mac") << u"m"_s << missing
                            << u"the join token's \"m\" (mac) is missing or not a string"_s;
    QTest::newRow("a mac that is not base64url")
            << u"m"_s << QJsonValue(u"not base64!"_s)
            << u"the join token's \"m\" (mac) is not base64url"_s;
}

void tst_JoinToken::malformedField()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QFETCH(QString, problem);

    QJsonObject payload = validPayload();
    if (value.isUndefined()) {
        payload.remove(key);
    } else {
        payload.insert(key, value);
    }

    const Result<JoinToken> decoded = decodeJoinToken(tokenFromObject(payload));
    QVERIFY(!decoded);
    QVERIFY2(decoded.error().message.startsWith(problem), qPrintable(decoded.error().message));
}

void tst_JoinToken::tamperedTokenIsRefused_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("problem");

    const QString wrongFingerprint = u"the token's cluster fingerprint does not match its secret"_s;
    const QString wrongMac = u"the token's mac does not match its secret and expiry"_s;
    const QByteArray otherSecret = "another secret"_ba;

    QTest::newRow("a fingerprint of another cluster")
            << u"c"_s << QJsonValue(u"c51088f61603af89f44dcd8ea104695dd"_s) << wrongFingerprint;
    QTest::newRow("another secret under the original fingerprint")
            << u"s"_s << QJsonValue(base64Text(otherSecret)) << wrongFingerprint;
    QTest::newRow("a later expiry under the original mac")
            << u"e"_s << QJsonValue(ExpiresAt + 3600) << wrongMac;
    QTest::newRow("a mac made with another secret")
            << u"m"_s << QJsonValue(base64Text(joinMac(otherSecret, ExpiresAt))) << wrongMac;
    QTest::newRow("a mac cut short")
            << u"m"_s << QJsonValue(base64Text(QByteArray::fromHex(ExpectedMacHex).chopped(1)))
            << wrongMac;
}

void tst_JoinToken::tamperedTokenIsRefused()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QFETCH(QString, problem);

    QJsonObject payload = validPayload();
    payload.insert(key, value);

    const Result<JoinToken> decoded = decodeJoinToken(tokenFromObject(payload));
    QVERIFY(!decoded);
    QCOMPARE(decoded.error().message, problem);
}

void tst_JoinToken::credentialCheck_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<qint64>("expiresAt");
    QTest::addColumn<QByteArray>("mac");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<bool>("valid");

    const QByteArray mac = QByteArray::fromHex(ExpectedMacHex);
    QTest::newRow("an untouched credential one second before expiry is valid")
            << Secret << ExpiresAt << mac << ExpiresAt - 1 << true;
    QTest::newRow("a credential is invalid in its expiry second")
            << Secret << ExpiresAt << mac << ExpiresAt << false;
    QTest::newRow("a credential is invalid after its expiry")
            << Secret << ExpiresAt << mac << ExpiresAt + 1 << false;
    QTest::newRow("a later expiry under the original mac is invalid")
            << Secret << ExpiresAt + 3600 << mac << ExpiresAt - 1 << false;
    QTest::newRow("another secret under the original mac is invalid")
            << "another secret"_ba << ExpiresAt << mac << ExpiresAt - 1 << false;
    QByteArray flipped = mac;
    flipped[0] = char(flipped[0] ^ 1);
    QTest::newRow("a mac with one bit flipped is invalid")
            << Secret << ExpiresAt << flipped << ExpiresAt - 1 << false;
    QTest::newRow("an empty mac is invalid")
            << Secret << ExpiresAt << QByteArray() << ExpiresAt - 1 << false;
}

void tst_JoinToken::credentialCheck()
{
    QFETCH(QByteArray, secret);
    QFETCH(qint64, expiresAt);
    QFETCH(QByteArray, mac);
    QFETCH(qint64, now);
    QFETCH(bool, valid);

    QCOMPARE(joinCredentialValid(secret, expiresAt, mac, now), valid);
}

void tst_JoinToken::seedAddresses_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("valid");

    QTest::newRow("an IPv4 address and port") << u"127.0.0.1:6002"_s << true;
    QTest::newRow("a host name and the highest port") << u"node-1.example.com:65535"_s << true;
    QTest::newRow("an IPv6 address in brackets") << u"[2001:db8::1]:6002"_s << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("a host without a port") << u"example.com"_s << false;
    QTest::newRow("a host with an empty port") << u"example.com:"_s << false;
    QTest::newRow("a port with a sign") << u"example.com:+80"_s << false;
    QTest::newRow("a port with six digits") << u"example.com:006002"_s << false;
    QTest::newRow("empty brackets") << u"[]:6002"_s << false;
    QTest::newRow("an IPv4 address in brackets") << u"[10.0.0.1]:6002"_s << false;
    QTest::newRow("a URL") << u"http://example.com:80"_s << false;
}

void tst_JoinToken::seedAddresses()
{
    QFETCH(QString, address);
    QFETCH(bool, valid);

    const Result<void> checked = checkSeedAddress(address);
    QCOMPARE(bool(checked), valid);
    if (!valid) {
        QVERIFY2(checked.error().message.startsWith(u"\"%1\" is not a seed address"_s.arg(address)),
                 qPrintable(checked.error().message));
    }
}

QTEST_GUILESS_MAIN(tst_JoinToken)
#include "tst_jointoken.moc"
