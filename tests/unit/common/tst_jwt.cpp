#include <common/tokens/base64url.h>
#include <common/tokens/jwt.h>

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <optional>

using namespace DNotifier;
using namespace DNotifier::Tokens;
using namespace Qt::Literals::StringLiterals;

// The tokens verified here were made by the `jose` npm package and Node's crypto
// (data/jwt/make-vectors.mjs), never by the code under test; the keys beside them were made
// with `openssl genpkey` for these tests only.

Q_DECLARE_METATYPE(DNotifier::Tokens::Algorithm)
Q_DECLARE_METATYPE(DNotifier::Tokens::JwtError)
Q_DECLARE_METATYPE(DNotifier::Tokens::VerifyOptions)

namespace {

// The iat and nbf of the vectors; their exp is an hour later.
constexpr qint64 Issued = 1700000000;
constexpr qint64 Expiry = Issued + 3600;
constexpr qint64 Leeway = 30;

constexpr auto Secret = "dnotifier-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-HS512";
constexpr auto Issuer = "https://auth.example.test";
constexpr auto Audience = "dnotifier";

constexpr char UrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

VerifyOptions checking(const QString &audience, const QString &issuer, qint64 leeway = Leeway)
{
    return VerifyOptions{leeway, audience, issuer};
}

VerifyOptions strict()
{
    return checking(QString::fromLatin1(Audience), QString::fromLatin1(Issuer));
}

VerifyOptions withLeeway(qint64 leeway)
{
    return checking({}, {}, leeway);
}

// The claims every vector starts from, as make-vectors.mjs writes them.
QJsonObject baseClaims()
{
    return QJsonObject{
            {"aud"_L1, QString::fromLatin1(Audience)},
            {"exp"_L1, Expiry},
            {"iat"_L1, Issued},
            {"info"_L1, QJsonObject{{"name"_L1, "Ada"_L1}}},
            {"iss"_L1, QString::fromLatin1(Issuer)},
            {"nbf"_L1, Issued},
            {"sub"_L1, "user-42"_L1},
    };
}

QByteArray readTestFile(const QString &name)
{
    QFile file(QFINDTESTDATA(u"data/jwt/"_s + name));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return file.readAll();
}

QList<QByteArray> partsOf(const QByteArray &token)
{
    return token.split('.');
}

QByteArray withPart(const QByteArray &token, int index, const QByteArray &replacement)
{
    QList<QByteArray> parts = partsOf(token);
    parts[index] = replacement;
    return parts.join('.');
}

// Encoded with Qt's own codec, so the tampering tests do not lean on the code under test.
QByteArray qtBase64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Sets the spare low bits of a part's last character, which a canonical encoder leaves zero.
QByteArray withSpareBitsSet(const QByteArray &part)
{
    Q_ASSERT(part.size() % 4 == 2 || part.size() % 4 == 3);
    QByteArray changed = part;
    const qsizetype sextet = QByteArrayView(UrlAlphabet).indexOf(changed.back());
    const int spareMask = part.size() % 4 == 2 ? 0x0f : 0x03;
    changed.back() = UrlAlphabet[sextet | spareMask];
    return changed;
}

QByteArray flippedLastByte(const QByteArray &signaturePart)
{
    QByteArray signature = QByteArray::fromBase64(signaturePart, QByteArray::Base64UrlEncoding);
    signature.back() = char(signature.back() ^ 0x01);
    return qtBase64Url(signature);
}

QString describe(const Error &error)
{
    return u"code %1: %2"_s.arg(error.code).arg(error.message);
}

} // namespace

class tst_Jwt final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void base64UrlDecode_data();
    void base64UrlDecode();
    void base64UrlRejects_data();
    void base64UrlRejects();
    void base64UrlEncode_data();
    void base64UrlEncode();

    void verifiesJoseTokens_data();
    void verifiesJoseTokens();
    void returnsTheClaims();
    void acceptsAtBoundaries_data();
    void acceptsAtBoundaries();
    void rejects_data();
    void rejects();
    void kidSelectionInTwoKeyJwks_data();
    void kidSelectionInTwoKeyJwks();

    void signMatchesJoseByteForByte_data();
    void signMatchesJoseByteForByte();
    void signThenVerify_data();
    void signThenVerify();
    void es256SignaturesOfEveryShapeRoundTrip();
    void signRefuses_data();
    void signRefuses();
    void largestTokenWithinTheLimitVerifies();

    void loadsKeys_data();
    void loadsKeys();
    void loadsJwks_data();
    void loadsJwks();

private:
    QByteArray vector(const char *name) const;
    QByteArray pem(const char *name) const;
    QJsonObject jwk(const QString &kid) const;
    void addRejection(const char *name,
                      const QByteArray &token,
                      const char *keys,
                      JwtError expected,
                      qint64 now = Issued,
                      const VerifyOptions &options = {});

    QJsonObject m_vectors;
    QJsonArray m_jwks;
    QHash<QString, QByteArray> m_pems;
    QHash<QString, KeySet> m_keySets;
};

void tst_Jwt::initTestCase()
{
    const QJsonDocument vectors = QJsonDocument::fromJson(readTestFile(u"vectors.json"_s));
    QVERIFY2(vectors.isObject(), "data/jwt/vectors.json is missing or broken");
    m_vectors = vectors.object();
    const QByteArray jwks = readTestFile(u"jwks.json"_s);
    m_jwks = QJsonDocument::fromJson(jwks).object().value("keys"_L1).toArray();
    QCOMPARE(m_jwks.size(), 4);

    const QStringList pemNames{
            u"rsa-a.pub"_s,   u"rsa-a.pkcs1.pub"_s, u"rsa-a.key"_s,   u"rsa-a.pkcs1.key"_s,
            u"rsa-b.pub"_s,   u"rsa-b.key"_s,       u"ec-a.pub"_s,    u"ec-a.key"_s,
            u"ec-b.pub"_s,    u"ec-b.key"_s,        u"ec-p384.pub"_s, u"rsa-1024.pub"_s,
            u"ed25519.pub"_s, u"ed25519.key"_s,
    };
    for (const QString &name : pemNames) {
        m_pems.insert(name, readTestFile(name + u".pem"_s));
        QVERIFY2(!m_pems.value(name).isEmpty(), qPrintable(name));
    }

    const QByteArray secret(Secret);
    const auto add = [this](const QString &name, const Result<KeySet> &keys) {
        QVERIFY2(keys.isOk(), qPrintable(name + u": "_s + keys.error().message));
        m_keySets.insert(name, *keys);
    };
    add(u"secret"_s, KeySet::fromSecret(secret));
    add(u"secret with kid hmac-1"_s, KeySet::fromSecret(secret, u"hmac-1"_s));
    add(u"other secret"_s, KeySet::fromSecret("another-secret-of-the-same-shape-0123456789"));
    add(u"rsa-a spki"_s, KeySet::fromPem(pem("rsa-a.pub")));
    add(u"rsa-a pkcs1"_s, KeySet::fromPem(pem("rsa-a.pkcs1.pub")));
    add(u"ec-a spki"_s, KeySet::fromPem(pem("ec-a.pub")));
    add(u"jwks"_s, KeySet::fromJwks(jwks));
    add(u"two rsa keys"_s,
        KeySet::fromJwks(QJsonDocument(QJsonObject{{"keys"_L1,
                                                    QJsonArray{jwk(u"rsa-a"_s), jwk(u"rsa-b"_s)}}})
                                 .toJson()));
    add(u"secret with kid hmac-2"_s, KeySet::fromSecret(secret, u"hmac-2"_s));

    Result<KeySet> mixed = KeySet::fromSecret(secret);
    QVERIFY(mixed.isOk());
    const Result<void> added = mixed.value().addJwks(jwks);
    QVERIFY2(added.isOk(), qPrintable(added.error().message));
    m_keySets.insert(u"secret and jwks"_s, *mixed);
    m_keySets.insert(u"empty"_s, KeySet());
}

QByteArray tst_Jwt::vector(const char *name) const
{
    const QJsonValue token = m_vectors.value(QLatin1StringView(name));
    if (!token.isString()) {
        // A row without its token would test nothing: stop loudly instead.
        qFatal("tst_jwt: data/jwt/vectors.json has no token named %s", name);
    }
    return token.toString().toLatin1();
}

QByteArray tst_Jwt::pem(const char *name) const
{
    return m_pems.value(QString::fromLatin1(name));
}

QJsonObject tst_Jwt::jwk(const QString &kid) const
{
    for (const QJsonValue &key : m_jwks) {
        if (key["kid"_L1] == kid) {
            return key.toObject();
        }
    }
    qFatal("tst_jwt: data/jwt/jwks.json has no key %s", qPrintable(kid));
}

void tst_Jwt::base64UrlDecode_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("bytes");

    // RFC 4648 section 10, plus the two characters where base64url differs from base64.
    QTest::newRow("the empty text decodes to no bytes") << ""_ba
                                                        << ""_ba;
    QTest::newRow("two characters decode to one byte") << "Zg"_ba
                                                       << "f"_ba;
    QTest::newRow("three characters decode to two bytes") << "Zm8"_ba
                                                          << "fo"_ba;
    QTest::newRow("four characters decode to three bytes") << "Zm9v"_ba
                                                           << "foo"_ba;
    QTest::newRow("six characters decode to four bytes") << "Zm9vYg"_ba
                                                         << "foob"_ba;
    QTest::newRow("seven characters decode to five bytes") << "Zm9vYmE"_ba
                                                           << "fooba"_ba;
    QTest::newRow("eight characters decode to six bytes") << "Zm9vYmFy"_ba
                                                          << "foobar"_ba;
    QTest::newRow("minus and underscore stand for 62 and 63") << "-_8"_ba
                                                              << "\xfb\xff"_ba;
    QTest::newRow("zero bytes survive") << "AAAA"_ba << QByteArray(3, '\0');
}

void tst_Jwt::base64UrlDecode()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, bytes);

    const std::optional<QByteArray> decoded = Tokens::base64UrlDecode(text);
    QVERIFY(decoded.has_value());
    QCOMPARE(*decoded, bytes);
}

void tst_Jwt::base64UrlRejects_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("two padding characters are refused") << "Zg=="_ba;
    QTest::newRow("one padding character is refused") << "Zm8="_ba;
    QTest::newRow("padding alone is refused") << "===="_ba;
    QTest::newRow("the plus of standard base64 is refused") << "+_8"_ba;
    QTest::newRow("the slash of standard base64 is refused") << "-/8"_ba;
    QTest::newRow("a space is refused") << "Zm9v Zg"_ba;
    QTest::newRow("a line break is refused") << "Zm9v\nYmFy"_ba;
    QTest::newRow("a NUL byte is refused") << QByteArray("Zm\0v", 4);
    QTest::newRow("a non-ASCII byte is refused") << "Zm9v\xc3\xa9"_ba;
    QTest::newRow("a dot is refused") << "Zm9v.Zg"_ba;
    QTest::newRow("one character is too few for a byte") << "Z"_ba;
    QTest::newRow("a length of one more than a multiple of four is refused") << "Zm9vY"_ba;
    QTest::newRow("non-zero spare bits after one byte are refused") << "Zh"_ba;
    QTest::newRow("non-zero spare bits after two bytes are refused") << "Zm9"_ba;
}

void tst_Jwt::base64UrlRejects()
{
    QFETCH(QByteArray, text);

    QVERIFY(!Tokens::base64UrlDecode(text).has_value());
}

void tst_Jwt::base64UrlEncode_data()
{
    base64UrlDecode_data();
}

void tst_Jwt::base64UrlEncode()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, bytes);

    QCOMPARE(Tokens::base64UrlEncode(bytes), text);
}

void tst_Jwt::verifiesJoseTokens_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("keys");
    QTest::addColumn<Algorithm>("algorithm");
    QTest::addColumn<QString>("keyId");

    const auto row = [this](const char *name, const char *token, const char *keys,
                            Algorithm algorithm, const char *keyId = "") {
        QTest::newRow(name) << vector(token) << QString::fromLatin1(keys) << algorithm
                            << QString::fromLatin1(keyId);
    };
    row("an HS256 token verifies with the shared secret", "hs256", "secret", Algorithm::HS256);
    row("an HS384 token verifies with the shared secret", "hs384", "secret", Algorithm::HS384);
    row("an HS512 token verifies with the shared secret", "hs512", "secret", Algorithm::HS512);
    row("an HS256 token with a kid verifies with a secret that has none", "hs256Kid", "secret",
        Algorithm::HS256, "hmac-1");
    row("an HS256 token verifies with the secret named by its kid", "hs256Kid",
        "secret with kid hmac-1", Algorithm::HS256, "hmac-1");
    row("an RS256 token verifies with a SubjectPublicKeyInfo PEM", "rs256A", "rsa-a spki",
        Algorithm::RS256, "rsa-a");
    row("an RS256 token verifies with a PKCS#1 RSA PUBLIC KEY PEM", "rs256A", "rsa-a pkcs1",
        Algorithm::RS256, "rsa-a");
    row("an RS256 token without kid verifies with a PEM key", "rs256ANoKid", "rsa-a spki",
        Algorithm::RS256);
    row("an ES256 token verifies with a P-256 PEM", "es256A", "ec-a spki", Algorithm::ES256,
        "ec-a");
    row("an ES256 token without kid verifies with a P-256 PEM", "es256ANoKid", "ec-a spki",
        Algorithm::ES256);
    row("an RS256 token verifies with the first RSA key of the JWKS", "rs256A", "jwks",
        Algorithm::RS256, "rsa-a");
    row("an RS256 token verifies with the second RSA key of the JWKS", "rs256B", "jwks",
        Algorithm::RS256, "rsa-b");
    row("an ES256 token verifies with the first EC key of the JWKS", "es256A", "jwks",
        Algorithm::ES256, "ec-a");
    row("an ES256 token verifies with the second EC key of the JWKS", "es256B", "jwks",
        Algorithm::ES256, "ec-b");
    row("an RS256 token without kid verifies by trying the RSA keys of the JWKS", "rs256BNoKid",
        "jwks", Algorithm::RS256);
    row("an ES256 token without kid verifies by trying the EC keys of the JWKS", "es256ANoKid",
        "jwks", Algorithm::ES256);
    row("a token from jose's JWT builder with an audience array verifies", "rs256JoseBuilder",
        "jwks", Algorithm::RS256, "rsa-a");
    row("an HS256 token verifies with a set holding a secret and a JWKS", "hs256",
        "secret and jwks", Algorithm::HS256);
    row("an RS256 token verifies with a set holding a secret and a JWKS", "rs256A",
        "secret and jwks", Algorithm::RS256, "rsa-a");
}

void tst_Jwt::verifiesJoseTokens()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, keys);
    QFETCH(Algorithm, algorithm);
    QFETCH(QString, keyId);
    QVERIFY(m_keySets.contains(keys));

    const Result<Claims> claims = verify(token, m_keySets.value(keys), Issued + 60, strict());
    QVERIFY2(claims.isOk(), qPrintable(describe(claims.error())));
    QCOMPARE(claims->algorithm, algorithm);
    QCOMPARE(claims->keyId.value_or(QString()), keyId);
    QCOMPARE(claims->subject, u"user-42"_s);
    QVERIFY(claims->audience.contains(QString::fromLatin1(Audience)));
}

void tst_Jwt::returnsTheClaims()
{
    const Result<Claims> claims =
            verify(vector("rs256JoseBuilder"), m_keySets.value(u"jwks"_s), Issued, strict());
    QVERIFY2(claims.isOk(), qPrintable(describe(claims.error())));
    QCOMPARE(claims->algorithm, Algorithm::RS256);
    QCOMPARE(claims->keyId, std::optional<QString>(u"rsa-a"_s));
    QCOMPARE(claims->subject, u"user-42"_s);
    QCOMPARE(claims->issuer, QString::fromLatin1(Issuer));
    QCOMPARE(claims->audience, QStringList({u"other"_s, u"dnotifier"_s}));
    QCOMPARE(claims->expiresAt, std::optional<qint64>(Expiry));
    QCOMPARE(claims->notBefore, std::optional<qint64>(Issued));
    QCOMPARE(claims->issuedAt, std::optional<qint64>(Issued));
    QCOMPARE(claims->payload.value("info"_L1)["name"_L1].toString(), u"Ada"_s);

    const Result<Claims> bare = verify(vector("noTimes"), m_keySets.value(u"secret"_s), Issued);
    QVERIFY2(bare.isOk(), qPrintable(describe(bare.error())));
    QVERIFY(!bare->keyId.has_value());
    QVERIFY(!bare->expiresAt.has_value());
    QVERIFY(!bare->notBefore.has_value());
    QVERIFY(!bare->issuedAt.has_value());
}

void tst_Jwt::acceptsAtBoundaries_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<VerifyOptions>("options");

    const auto row = [this](const char *name, const char *token, qint64 now,
                            const VerifyOptions &options = {}) {
        QTest::newRow(name) << vector(token) << now << options;
    };
    row("exactly the leeway after exp is still accepted", "hs256", Expiry + Leeway);
    row("exactly the leeway before nbf is already accepted", "hs256", Issued - Leeway);
    row("the second of exp is accepted without leeway", "hs256", Expiry, withLeeway(0));
    row("the second of nbf is accepted without leeway", "hs256", Issued, withLeeway(0));
    row("a larger leeway stretches exp", "hs256", Expiry + 120, withLeeway(120));
    row("a negative leeway counts as none", "hs256", Expiry, withLeeway(-5));
    row("an iat exactly the leeway ahead is accepted", "iatLater", Issued + 100 - Leeway);
    row("a fractional exp is valid up to its own instant", "fractionalTimes", Expiry,
        withLeeway(0));
    row("a fractional nbf is valid from the next whole second", "fractionalTimes", Issued,
        withLeeway(0));
    row("a token without exp never expires", "noExp", Expiry + 10 * 365 * 86400);
    row("a token without time claims is valid at the epoch", "noTimes", 0);
    row("aud is not checked when no audience is configured", "audOther", Issued);
    row("a missing aud is fine when no audience is configured", "noAud", Issued);
    row("iss is not checked when no issuer is configured", "issOther", Issued);
    row("an audience array containing ours is accepted", "audArray", Issued, strict());
    row("a token without sub is accepted as anonymous", "noSub", Issued, strict());
}

void tst_Jwt::acceptsAtBoundaries()
{
    QFETCH(QByteArray, token);
    QFETCH(qint64, now);
    QFETCH(VerifyOptions, options);

    const Result<Claims> claims = verify(token, m_keySets.value(u"secret"_s), now, options);
    QVERIFY2(claims.isOk(), qPrintable(describe(claims.error())));
}

void tst_Jwt::addRejection(const char *name,
                           const QByteArray &token,
                           const char *keys,
                           JwtError expected,
                           qint64 now,
                           const VerifyOptions &options)
{
    QTest::newRow(name) << token << QString::fromLatin1(keys) << now << options << expected;
}

void tst_Jwt::rejects_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("keys");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<VerifyOptions>("options");
    QTest::addColumn<JwtError>("expected");

    const QByteArray hs256 = vector("hs256");
    const QList<QByteArray> parts = partsOf(hs256);
    const auto reject = [this](const char *name, const QByteArray &token, const char *keys,
                               JwtError expected, qint64 now = Issued,
                               const VerifyOptions &options = {}) {
        addRejection(name, token, keys, expected, now, options);
    };

    // Structure.
    reject("an empty token is malformed", ""_ba, "secret", JwtError::Malformed);
    reject("a token of two parts is malformed", parts[0] + '.' + parts[1], "secret",
           JwtError::Malformed);
    reject("a token of four parts is malformed", hs256 + ".e30", "secret", JwtError::Malformed);
    reject("three dots alone are malformed", "..."_ba, "secret", JwtError::Malformed);
    reject("an empty header is malformed", withPart(hs256, 0, ""), "secret", JwtError::Malformed);
    reject("a header that is a JSON array is malformed", vector("headerArray"), "secret",
           JwtError::Malformed);
    reject("a header that is not JSON is malformed", vector("headerNotJson"), "secret",
           JwtError::Malformed);
    reject("a header without alg is malformed", vector("headerWithoutAlg"), "secret",
           JwtError::Malformed);
    reject("an alg that is a number is malformed", vector("headerAlgNumber"), "secret",
           JwtError::Malformed);
    reject("a kid that is a number is malformed", vector("headerKidNumber"), "secret",
           JwtError::Malformed);
    reject("a header with critical extensions is refused", vector("headerCrit"), "secret",
           JwtError::Malformed);
    reject("a payload that is a JSON array is malformed", vector("payloadArray"), "secret",
           JwtError::Malformed);
    reject("a payload that is not JSON is malformed", vector("payloadNotJson"), "secret",
           JwtError::Malformed);
    reject("an empty payload is malformed", vector("payloadEmpty"), "secret", JwtError::Malformed);

    // Base64url, strictly.
    reject("padding after the signature is malformed", hs256 + '=', "secret", JwtError::Malformed);
    reject("padding after the header is malformed", withPart(hs256, 0, parts[0] + "=="), "secret",
           JwtError::Malformed);
    reject("a plus sign in the signature is malformed", withPart(hs256, 2, '+' + parts[2].mid(1)),
           "secret", JwtError::Malformed);
    reject("a slash in the payload is malformed", withPart(hs256, 1, parts[1] + "/w"), "secret",
           JwtError::Malformed);
    reject("a space inside the token is malformed", withPart(hs256, 1, ' ' + parts[1]), "secret",
           JwtError::Malformed);
    reject("a trailing line break is malformed", hs256 + '\n', "secret", JwtError::Malformed);
    reject("a signature of impossible length is malformed", hs256 + "AA", "secret",
           JwtError::Malformed);
    reject("non-zero spare bits in the signature's last character are malformed",
           withPart(hs256, 2, withSpareBitsSet(parts[2])), "secret", JwtError::Malformed);
    reject("non-zero spare bits in the payload's last character are malformed",
           withPart(hs256, 1, withSpareBitsSet(parts[1])), "secret", JwtError::Malformed);

    // Size.
    reject("a token of 8193 bytes is too large", QByteArray(MaxTokenSize + 1, 'a'), "secret",
           JwtError::TooLarge);
    reject("a valid token with 8 KiB of padding is too large",
           hs256 + QByteArray(MaxTokenSize, 'A'), "secret", JwtError::TooLarge);
    reject("8192 bytes are not too large, only malformed", QByteArray(MaxTokenSize, 'a'), "secret",
           JwtError::Malformed);

    // alg none, in every spelling, whatever the keys.
    reject("alg none from jose is refused with a secret configured", vector("noneJose"), "secret",
           JwtError::AlgorithmNone);
    reject("alg none is refused with an RSA key configured", vector("noneJose"), "rsa-a spki",
           JwtError::AlgorithmNone);
    reject("alg none is refused with a JWKS configured", vector("noneJose"), "jwks",
           JwtError::AlgorithmNone);
    reject("alg none is refused with no key configured", vector("noneJose"), "empty",
           JwtError::AlgorithmNone);
    reject("alg None is refused", vector("noneCapitalised"), "secret", JwtError::AlgorithmNone);
    reject("alg NONE is refused", vector("noneUpper"), "secret", JwtError::AlgorithmNone);
    reject("alg none with an HMAC signature attached is refused", vector("noneWithHmacSignature"),
           "secret", JwtError::AlgorithmNone);

    // Algorithms we do not implement, each validly signed by jose.
    reject("RS384 is unsupported", vector("rs384"), "jwks", JwtError::UnsupportedAlgorithm);
    reject("PS256 is unsupported", vector("ps256"), "rsa-a spki", JwtError::UnsupportedAlgorithm);
    reject("EdDSA is unsupported", vector("edDsa"), "jwks", JwtError::UnsupportedAlgorithm);
    reject("alg names are case-sensitive, so hs256 is unsupported", vector("lowerCaseHs256"),
           "secret", JwtError::UnsupportedAlgorithm);

    // Key confusion: an HS* token never meets a public key.
    reject("an HS256 token keyed with the RSA public PEM fails against that PEM",
           vector("hs256KeyedWithRsaPublicPem"), "rsa-a spki", JwtError::AlgorithmNotAllowed);
    reject("an HS256 token keyed with the PKCS#1 PEM fails against that PEM",
           vector("hs256KeyedWithRsaPkcs1Pem"), "rsa-a pkcs1", JwtError::AlgorithmNotAllowed);
    reject("an HS256 token keyed with the RSA public PEM fails against a JWKS",
           vector("hs256KeyedWithRsaPublicPem"), "jwks", JwtError::AlgorithmNotAllowed);
    reject("an HS256 token keyed with the EC public PEM fails against that PEM",
           vector("hs256KeyedWithEcPublicPem"), "ec-a spki", JwtError::AlgorithmNotAllowed);
    reject("an HS256 token keyed with the JWKS text fails against that JWKS",
           vector("hs256KeyedWithJwksText"), "jwks", JwtError::AlgorithmNotAllowed);
    reject("an HS256 token keyed with the RSA public PEM fails beside a real secret",
           vector("hs256KeyedWithRsaPublicPem"), "secret and jwks", JwtError::BadSignature);
    reject("an RS256 token fails against a secret", vector("rs256A"), "secret",
           JwtError::AlgorithmNotAllowed);
    reject("an ES256 token fails against an RSA key", vector("es256A"), "rsa-a spki",
           JwtError::AlgorithmNotAllowed);
    reject("an RS256 token fails against an EC key", vector("rs256A"), "ec-a spki",
           JwtError::AlgorithmNotAllowed);
    reject("an empty key set accepts nothing", hs256, "empty", JwtError::AlgorithmNotAllowed);

    // Key ids.
    reject("an RS256 token whose kid is not in the JWKS is refused", vector("rs256UnknownKid"),
           "jwks", JwtError::UnknownKeyId);
    reject("an HS256 token whose kid names no configured secret is refused", vector("hs256Kid"),
           "secret with kid hmac-2", JwtError::UnknownKeyId);

    // Signatures.
    reject("an RS256 token signed by key B but labelled A fails", vector("rs256BLabelledA"), "jwks",
           JwtError::BadSignature);
    reject("an ES256 token signed by key B but labelled A fails", vector("es256BLabelledA"), "jwks",
           JwtError::BadSignature);
    reject("an RS256 token fails against another RSA key", vector("rs256B"), "rsa-a spki",
           JwtError::BadSignature);
    reject("an HS256 token fails with another secret", hs256, "other secret",
           JwtError::BadSignature);
    reject("an HS256 token with a flipped signature bit fails",
           withPart(hs256, 2, flippedLastByte(parts[2])), "secret", JwtError::BadSignature);
    reject("an RS256 token with a flipped signature bit fails",
           withPart(vector("rs256A"), 2, flippedLastByte(partsOf(vector("rs256A"))[2])), "jwks",
           JwtError::BadSignature);
    reject("an ES256 token with a flipped signature bit fails",
           withPart(vector("es256A"), 2, flippedLastByte(partsOf(vector("es256A"))[2])), "jwks",
           JwtError::BadSignature);
    reject("an ES256 token with a DER signature instead of r||s fails", vector("es256DerSignature"),
           "ec-a spki", JwtError::BadSignature);
    reject("an empty signature fails", withPart(hs256, 2, ""), "secret", JwtError::BadSignature);
    reject("an RS256 signature on an ES256 header fails",
           withPart(vector("es256ANoKid"), 2, partsOf(vector("rs256ANoKid"))[2]), "ec-a spki",
           JwtError::BadSignature);
    {
        QJsonObject forged = baseClaims();
        forged.insert("sub"_L1, "admin"_L1);
        reject("a payload changed after signing fails",
               withPart(hs256, 1,
                        qtBase64Url(QJsonDocument(forged).toJson(QJsonDocument::Compact))),
               "secret", JwtError::BadSignature);
    }

    // Claim types.
    reject("an exp that is a string is refused", vector("expString"), "secret",
           JwtError::InvalidClaim);
    reject("an nbf that is null is refused", vector("nbfNull"), "secret", JwtError::InvalidClaim);
    reject("an iat that is a string is refused", vector("iatString"), "secret",
           JwtError::InvalidClaim);
    reject("an aud that is a number is refused", vector("audNumber"), "secret",
           JwtError::InvalidClaim);
    reject("an aud array holding a number is refused", vector("audArrayWithNumber"), "secret",
           JwtError::InvalidClaim);
    reject("an iss that is a number is refused", vector("issNumber"), "secret",
           JwtError::InvalidClaim);
    reject("a sub that is a number is refused", vector("subNumber"), "secret",
           JwtError::InvalidClaim);

    // Time.
    reject("one second past exp plus leeway is expired", hs256, "secret", JwtError::Expired,
           Expiry + Leeway + 1);
    reject("one second past exp without leeway is expired", hs256, "secret", JwtError::Expired,
           Expiry + 1, withLeeway(0));
    reject("a negative leeway does not shorten exp", hs256, "secret", JwtError::Expired, Expiry + 1,
           withLeeway(-5));
    reject("a fractional exp has passed one second later", vector("fractionalTimes"), "secret",
           JwtError::Expired, Expiry + 1, withLeeway(0));
    reject("one second before nbf minus leeway is not yet valid", hs256, "secret",
           JwtError::NotYetValid, Issued - Leeway - 1);
    reject("one second before nbf without leeway is not yet valid", hs256, "secret",
           JwtError::NotYetValid, Issued - 1, withLeeway(0));
    reject("a fractional nbf is not reached a second early", vector("fractionalTimes"), "secret",
           JwtError::NotYetValid, Issued - 1, withLeeway(0));
    reject("an iat more than the leeway ahead is refused", vector("iatLater"), "secret",
           JwtError::IssuedInFuture, Issued + 100 - Leeway - 1);

    // Audience and issuer, when configured.
    reject("another audience is refused", vector("audOther"), "secret", JwtError::WrongAudience,
           Issued, strict());
    reject("an audience array without ours is refused", vector("audOtherArray"), "secret",
           JwtError::WrongAudience, Issued, strict());
    reject("a missing aud is refused when an audience is configured", vector("noAud"), "secret",
           JwtError::WrongAudience, Issued, strict());
    reject("another issuer is refused", vector("issOther"), "secret", JwtError::WrongIssuer, Issued,
           strict());
    reject("a missing iss is refused when an issuer is configured", vector("noIss"), "secret",
           JwtError::WrongIssuer, Issued, strict());
}

void tst_Jwt::rejects()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, keys);
    QFETCH(qint64, now);
    QFETCH(VerifyOptions, options);
    QFETCH(JwtError, expected);
    QVERIFY(m_keySets.contains(keys));

    const Result<Claims> claims = verify(token, m_keySets.value(keys), now, options);
    QVERIFY(!claims.isOk());
    QVERIFY2(jwtErrorOf(claims.error()) == expected, qPrintable(describe(claims.error())));
    QVERIFY(!claims.error().message.isEmpty());
}

void tst_Jwt::kidSelectionInTwoKeyJwks_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("expected"); // 0 for accepted, else a JwtError

    QTest::newRow("kid rsa-a selects the first key") << vector("rs256A") << 0;
    QTest::newRow("kid rsa-b selects the second key") << vector("rs256B") << 0;
    QTest::newRow("without kid both keys are tried") << vector("rs256BNoKid") << 0;
    QTest::newRow("a kid naming the wrong key fails, though the other key would verify")
            << vector("rs256BLabelledA") << int(JwtError::BadSignature);
    QTest::newRow("a kid naming no key is unknown")
            << vector("rs256UnknownKid") << int(JwtError::UnknownKeyId);
}

void tst_Jwt::kidSelectionInTwoKeyJwks()
{
    QFETCH(QByteArray, token);
    QFETCH(int, expected);

    const KeySet &keys = m_keySets[u"two rsa keys"_s];
    QCOMPARE(keys.size(), 2);
    const Result<Claims> claims = verify(token, keys, Issued);
    QCOMPARE(claims.isOk() ? 0 : claims.error().code, expected);
}

void tst_Jwt::signMatchesJoseByteForByte_data()
{
    QTest::addColumn<Algorithm>("algorithm");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("keyId");
    QTest::addColumn<QByteArray>("expected");

    // HMAC and RSA PKCS#1 v1.5 are deterministic, and with keys in sorted order both sides
    // serialise the same JSON, so our token must equal jose's exactly.
    QTest::newRow("HS256 signs exactly as jose does")
            << Algorithm::HS256 << QByteArray(Secret) << QString() << vector("hs256");
    QTest::newRow("HS384 signs exactly as jose does")
            << Algorithm::HS384 << QByteArray(Secret) << QString() << vector("hs384");
    QTest::newRow("HS512 signs exactly as jose does")
            << Algorithm::HS512 << QByteArray(Secret) << QString() << vector("hs512");
    QTest::newRow("HS256 with a kid signs exactly as jose does")
            << Algorithm::HS256 << QByteArray(Secret) << u"hmac-1"_s << vector("hs256Kid");
    QTest::newRow("RS256 with a PKCS#8 key signs exactly as jose does")
            << Algorithm::RS256 << pem("rsa-a.key") << u"rsa-a"_s << vector("rs256A");
    QTest::newRow("RS256 with a traditional RSA key signs exactly as jose does")
            << Algorithm::RS256 << pem("rsa-a.pkcs1.key") << QString() << vector("rs256ANoKid");
    QTest::newRow("RS256 with the second key signs exactly as jose does")
            << Algorithm::RS256 << pem("rsa-b.key") << u"rsa-b"_s << vector("rs256B");
}

void tst_Jwt::signMatchesJoseByteForByte()
{
    QFETCH(Algorithm, algorithm);
    QFETCH(QByteArray, key);
    QFETCH(QString, keyId);
    QFETCH(QByteArray, expected);

    const Result<SigningKey> signingKey = keyTypeFor(algorithm) == KeyType::Secret
                                                  ? SigningKey::fromSecret(key)
                                                  : SigningKey::fromPrivateKeyPem(key);
    QVERIFY2(signingKey.isOk(), qPrintable(describe(signingKey.error())));
    const Result<QByteArray> token = sign(baseClaims(), algorithm, *signingKey, keyId);
    QVERIFY2(token.isOk(), qPrintable(describe(token.error())));
    QCOMPARE(*token, expected);
}

void tst_Jwt::signThenVerify_data()
{
    QTest::addColumn<Algorithm>("algorithm");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("keyId");
    QTest::addColumn<QString>("keys");

    QTest::newRow("HS256 round-trips through the secret")
            << Algorithm::HS256 << QByteArray(Secret) << QString() << u"secret"_s;
    QTest::newRow("HS384 round-trips through the secret")
            << Algorithm::HS384 << QByteArray(Secret) << QString() << u"secret"_s;
    QTest::newRow("HS512 round-trips through the secret")
            << Algorithm::HS512 << QByteArray(Secret) << u"hmac-1"_s << u"secret with kid hmac-1"_s;
    QTest::newRow("RS256 round-trips through the PKCS#1 public key")
            << Algorithm::RS256 << pem("rsa-a.key") << QString() << u"rsa-a pkcs1"_s;
    QTest::newRow("RS256 round-trips through the JWKS by kid")
            << Algorithm::RS256 << pem("rsa-b.key") << u"rsa-b"_s << u"jwks"_s;
    QTest::newRow("ES256 round-trips through the PEM public key")
            << Algorithm::ES256 << pem("ec-a.key") << QString() << u"ec-a spki"_s;
    QTest::newRow("ES256 round-trips through the JWKS by kid")
            << Algorithm::ES256 << pem("ec-b.key") << u"ec-b"_s << u"jwks"_s;
}

void tst_Jwt::signThenVerify()
{
    QFETCH(Algorithm, algorithm);
    QFETCH(QByteArray, key);
    QFETCH(QString, keyId);
    QFETCH(QString, keys);
    QVERIFY(m_keySets.contains(keys));

    const Result<SigningKey> signingKey = keyTypeFor(algorithm) == KeyType::Secret
                                                  ? SigningKey::fromSecret(key)
                                                  : SigningKey::fromPrivateKeyPem(key);
    QVERIFY2(signingKey.isOk(), qPrintable(describe(signingKey.error())));
    const Result<QByteArray> token = sign(baseClaims(), algorithm, *signingKey, keyId);
    QVERIFY2(token.isOk(), qPrintable(describe(token.error())));

    const QJsonObject header =
            QJsonDocument::fromJson(
                    QByteArray::fromBase64(partsOf(*token)[0], QByteArray::Base64UrlEncoding))
                    .object();
    QCOMPARE(header.value("typ"_L1).toString(), u"JWT"_s);
    QCOMPARE(header.value("alg"_L1).toString(), algorithmName(algorithm));
    QCOMPARE(header.contains("kid"_L1), !keyId.isEmpty());

    const Result<Claims> claims = verify(*token, m_keySets.value(keys), Issued, strict());
    QVERIFY2(claims.isOk(), qPrintable(describe(claims.error())));
    QCOMPARE(claims->algorithm, algorithm);
    QCOMPARE(claims->payload, baseClaims());
}

void tst_Jwt::es256SignaturesOfEveryShapeRoundTrip()
{
    // About one ECDSA signature in 128 has r or s below 2^248, which JWS pads with a leading
    // zero byte and DER does not: enough signatures that the padding is exercised both ways.
    const Result<SigningKey> key = SigningKey::fromPrivateKeyPem(pem("ec-b.key"));
    QVERIFY2(key.isOk(), qPrintable(describe(key.error())));
    for (int round = 0; round < 500; ++round) {
        QJsonObject claims = baseClaims();
        claims.insert("jti"_L1, round);
        const Result<QByteArray> token = sign(claims, Algorithm::ES256, *key, u"ec-b"_s);
        QVERIFY2(token.isOk(), qPrintable(describe(token.error())));
        QCOMPARE(QByteArray::fromBase64(partsOf(*token)[2], QByteArray::Base64UrlEncoding).size(),
                 64);
        const Result<Claims> verified = verify(*token, m_keySets.value(u"jwks"_s), Issued);
        QVERIFY2(verified.isOk(), qPrintable(describe(verified.error())));
    }
}

void tst_Jwt::signRefuses_data()
{
    QTest::addColumn<Algorithm>("algorithm");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<JwtError>("expected");

    QTest::newRow("a secret cannot sign RS256") << Algorithm::RS256 << QByteArray(Secret)
                                                << baseClaims() << JwtError::AlgorithmNotAllowed;
    QTest::newRow("an RSA key cannot sign HS256") << Algorithm::HS256 << pem("rsa-a.key")
                                                  << baseClaims() << JwtError::AlgorithmNotAllowed;
    QTest::newRow("an RSA key cannot sign ES256") << Algorithm::ES256 << pem("rsa-a.key")
                                                  << baseClaims() << JwtError::AlgorithmNotAllowed;
    QTest::newRow("an EC key cannot sign RS256")
            << Algorithm::RS256 << pem("ec-a.key") << baseClaims() << JwtError::AlgorithmNotAllowed;
    QJsonObject bulky = baseClaims();
    bulky.insert("pad"_L1, QString(MaxTokenSize, u'x'));
    QTest::newRow("a token beyond 8 KiB is not produced")
            << Algorithm::HS256 << QByteArray(Secret) << bulky << JwtError::TooLarge;
}

void tst_Jwt::signRefuses()
{
    QFETCH(Algorithm, algorithm);
    QFETCH(QByteArray, key);
    QFETCH(QJsonObject, claims);
    QFETCH(JwtError, expected);

    const Result<SigningKey> signingKey = key.startsWith("-----")
                                                  ? SigningKey::fromPrivateKeyPem(key)
                                                  : SigningKey::fromSecret(key);
    QVERIFY2(signingKey.isOk(), qPrintable(describe(signingKey.error())));
    const Result<QByteArray> token = sign(claims, algorithm, *signingKey);
    QVERIFY(!token.isOk());
    QVERIFY2(jwtErrorOf(token.error()) == expected, qPrintable(describe(token.error())));
}

void tst_Jwt::largestTokenWithinTheLimitVerifies()
{
    const Result<SigningKey> key = SigningKey::fromSecret(Secret);
    QVERIFY(key.isOk());

    // Grow a padding claim until the next character would cross the limit.
    QByteArray largest;
    for (int padding = 5000; padding < MaxTokenSize; ++padding) {
        QJsonObject claims = baseClaims();
        claims.insert("pad"_L1, QString(padding, u'x'));
        const Result<QByteArray> token = sign(claims, Algorithm::HS256, *key);
        if (!token) {
            QCOMPARE(jwtErrorOf(token.error()), JwtError::TooLarge);
            break;
        }
        largest = *token;
    }
    QVERIFY(largest.size() > MaxTokenSize - 4);
    QVERIFY(largest.size() <= MaxTokenSize);

    const Result<Claims> claims = verify(largest, m_keySets.value(u"secret"_s), Issued);
    QVERIFY2(claims.isOk(), qPrintable(describe(claims.error())));
}

void tst_Jwt::loadsKeys_data()
{
    QTest::addColumn<QByteArray>("pem");
    QTest::addColumn<bool>("isPrivate");
    QTest::addColumn<int>("expected"); // 0 for loaded, else a JwtError

    const int invalid = int(JwtError::InvalidKey);
    QTest::newRow("an RSA SubjectPublicKeyInfo PEM loads") << pem("rsa-a.pub") << false << 0;
    QTest::newRow("an RSA PKCS#1 public PEM loads") << pem("rsa-a.pkcs1.pub") << false << 0;
    QTest::newRow("a P-256 public PEM loads") << pem("ec-a.pub") << false << 0;
    QTest::newRow("a P-384 public key is refused") << pem("ec-p384.pub") << false << invalid;
    QTest::newRow("a 1024-bit RSA key is refused") << pem("rsa-1024.pub") << false << invalid;
    QTest::newRow("an Ed25519 public key is refused") << pem("ed25519.pub") << false << invalid;
    QTest::newRow("a private key is refused where a public key belongs")
            << pem("rsa-a.key") << false << invalid;
    QTest::newRow("two public keys in one text are refused")
            << pem("rsa-a.pub") + pem("rsa-b.pub") << false << invalid;
    QTest::newRow("text without a PEM block is refused") << "not a key"_ba << false << invalid;
    QTest::newRow("an empty text is refused") << ""_ba << false << invalid;
    QByteArray corrupt = pem("rsa-a.pub");
    corrupt.replace(40, 8, "AAAAAAAA");
    QTest::newRow("a PEM block with a corrupt key is refused") << corrupt << false << invalid;
    QTest::newRow("a PKCS#8 RSA private key loads for signing") << pem("rsa-a.key") << true << 0;
    QTest::newRow("a traditional RSA private key loads for signing")
            << pem("rsa-a.pkcs1.key") << true << 0;
    QTest::newRow("a P-256 private key loads for signing") << pem("ec-a.key") << true << 0;
    QTest::newRow("an Ed25519 private key is refused for signing")
            << pem("ed25519.key") << true << invalid;
    QTest::newRow("a public key is refused for signing") << pem("rsa-a.pub") << true << invalid;
}

void tst_Jwt::loadsKeys()
{
    QFETCH(QByteArray, pem);
    QFETCH(bool, isPrivate);
    QFETCH(int, expected);

    const Error error =
            isPrivate ? SigningKey::fromPrivateKeyPem(pem).error() : KeySet::fromPem(pem).error();
    QVERIFY2(error.code == expected, qPrintable(describe(error)));
}

void tst_Jwt::loadsJwks_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("expected"); // a JwtError, or 0 for loaded
    QTest::addColumn<int>("size");

    const auto document = [](const QJsonArray &keys) {
        return QJsonDocument(QJsonObject{{"keys"_L1, keys}}).toJson(QJsonDocument::Compact);
    };
    const auto changed = [this](const char *kid, const char *member, const QJsonValue &value) {
        QJsonObject key = jwk(QString::fromLatin1(kid));
        key.insert(QLatin1StringView(member), value);
        return key;
    };
    const QJsonObject rsaA = jwk(u"rsa-a"_s);
    const QJsonObject ecA = jwk(u"ec-a"_s);
    const int invalid = int(JwtError::InvalidKey);

    QTest::newRow("the four-key JWKS loads") << readTestFile(u"jwks.json"_s) << 0 << 4;
    QTest::newRow("keys without kid, alg or use load") << document(
            {QJsonObject{{"kty"_L1, "RSA"_L1}, {"n"_L1, rsaA["n"_L1]}, {"e"_L1, rsaA["e"_L1]}}})
                                                       << 0 << 1;
    QTest::newRow("keys of other types and curves are skipped")
            << document({QJsonObject{{"kty"_L1, "oct"_L1}, {"k"_L1, "c2VjcmV0"_L1}},
                         QJsonObject{{"kty"_L1, "OKP"_L1},
                                     {"crv"_L1, "Ed25519"_L1},
                                     {"x"_L1, "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"_L1}},
                         changed("ec-b", "crv", "P-384"_L1), rsaA})
            << 0 << 1;
    QTest::newRow("keys for other algorithms are skipped")
            << document({changed("rsa-b", "alg", "RS384"_L1), ecA}) << 0 << 1;
    QTest::newRow("keys for encryption are skipped")
            << document({changed("rsa-b", "use", "enc"_L1),
                         changed("ec-b", "key_ops", QJsonArray{"encrypt"_L1}), ecA})
            << 0 << 1;
    QTest::newRow("a JWKS with nothing usable is refused")
            << document({changed("rsa-a", "use", "enc"_L1)}) << invalid << 0;
    QTest::newRow("an empty key list is refused") << document({}) << invalid << 0;
    QTest::newRow("text that is not JSON is refused") << "keys"_ba << invalid << 0;
    QTest::newRow("a JSON object without keys is refused") << "{\"key\":[]}"_ba << invalid << 0;
    QTest::newRow("a key that is not an object is refused")
            << document({rsaA, "rsa-b"_L1}) << invalid << 0;
    QTest::newRow("a kid that is a number is refused")
            << document({changed("rsa-a", "kid", 7)}) << invalid << 0;
    QTest::newRow("a key without kty is refused")
            << document({QJsonObject{{"n"_L1, rsaA["n"_L1]}, {"e"_L1, rsaA["e"_L1]}}}) << invalid
            << 0;
    QTest::newRow("an RSA modulus that is not base64url is refused")
            << document({changed("rsa-a", "n", "not/base64url"_L1)}) << invalid << 0;
    QTest::newRow("a padded RSA exponent is refused")
            << document({changed("rsa-a", "e", "AQAB="_L1)}) << invalid << 0;
    QTest::newRow("an RSA key without exponent is refused")
            << document({changed("rsa-a", "e", QJsonValue(QJsonValue::Undefined))}) << invalid << 0;
    QTest::newRow("a short RSA modulus is refused")
            << document({changed("rsa-a", "n", rsaA["n"_L1].toString().left(170))}) << invalid << 0;
    const QByteArray x = QByteArray::fromBase64(ecA["x"_L1].toString().toLatin1(),
                                                QByteArray::Base64UrlEncoding);
    QTest::newRow("an EC coordinate of 31 bytes is refused")
            << document({changed("ec-a", "x", QString::fromLatin1(qtBase64Url(x.left(31))))})
            << invalid << 0;

    // Changing one byte of y moves the point off the curve.
    QByteArray y = QByteArray::fromBase64(ecA["y"_L1].toString().toLatin1(),
                                          QByteArray::Base64UrlEncoding);
    y[5] = char(y[5] ^ 0x40);
    QTest::newRow("an EC point off the curve is refused")
            << document({changed("ec-a", "y", QString::fromLatin1(qtBase64Url(y)))}) << invalid
            << 0;
    QTest::newRow("one broken key spoils the whole JWKS")
            << document({rsaA, changed("ec-a", "x", "AAAA"_L1)}) << invalid << 0;
}

void tst_Jwt::loadsJwks()
{
    QFETCH(QByteArray, json);
    QFETCH(int, expected);
    QFETCH(int, size);

    const Result<KeySet> keys = KeySet::fromJwks(json);
    QVERIFY2(keys.error().code == expected, qPrintable(describe(keys.error())));
    if (keys.isOk()) {
        QCOMPARE(keys->size(), size);
    }
}

QTEST_GUILESS_MAIN(tst_Jwt)

#include "tst_jwt.moc"
