// libFuzzer target: JSON Web Tokens and the key material tokens are checked against.
//
// The input is verified as a token against the key set of tst_jwt (its shared secret plus the
// JWKS of tests/unit/common/data/jwt), with and without audience and issuer checks, at the time
// the test vectors were issued, so the vectors in the seed corpus pass every check and mutations
// start from deep inside verify(). The same input is then read as a JWKS document and as a PEM
// public key; a key that loads is used to check fixed RS256 and ES256 tokens.

#include <common/tokens/jwt.h>

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <cstddef>
#include <cstdint>

using namespace DNotifier;
using namespace DNotifier::Tokens;
using namespace Qt::Literals::StringLiterals;

namespace {

// Shared with tst_jwt.cpp and data/jwt/make-vectors.mjs, which signed the vectors.
constexpr auto Secret = "dnotifier-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-HS512";
constexpr qint64 Issued = 1700000000;

struct Fixture
{
    KeySet hmacKeys;
    KeySet mixedKeys;
    VerifyOptions strict;
    QByteArray rs256Token;
    QByteArray es256Token;
};

QByteArray readTestData(const QString &name)
{
    QFile file(QString::fromUtf8(DNOTIFIER_JWT_TEST_DATA) + u'/' + name);
    if (!file.open(QIODevice::ReadOnly)) {
        qFatal("fuzz_jwt: cannot read %s", qPrintable(file.fileName()));
    }
    return file.readAll();
}

Fixture loadFixture()
{
    Result<KeySet> hmac = KeySet::fromSecret(Secret);
    Result<KeySet> mixed = KeySet::fromSecret(Secret);
    if (!hmac || !mixed || !mixed.value().addJwks(readTestData(u"jwks.json"_s))) {
        qFatal("fuzz_jwt: the fixed key sets do not load");
    }
    const QJsonObject vectors = QJsonDocument::fromJson(readTestData(u"vectors.json"_s)).object();
    Fixture fixture{std::move(hmac).value(), std::move(mixed).value(), {}, {}, {}};
    fixture.strict.audience = u"dnotifier"_s;
    fixture.strict.issuer = u"https://auth.example.test"_s;
    fixture.rs256Token = vectors.value("rs256ANoKid"_L1).toString().toLatin1();
    fixture.es256Token = vectors.value("es256ANoKid"_L1).toString().toLatin1();
    if (fixture.rs256Token.isEmpty() || fixture.es256Token.isEmpty()) {
        qFatal("fuzz_jwt: vectors.json lacks rs256ANoKid or es256ANoKid");
    }
    return fixture;
}

const Fixture &fixture()
{
    static const Fixture loaded = loadFixture();
    return loaded;
}

void checkWithKeysFrom(QByteArrayView input)
{
    KeySet fromJwks;
    if (fromJwks.addJwks(input)) {
        static_cast<void>(verify(fixture().rs256Token, fromJwks, Issued));
        static_cast<void>(verify(fixture().es256Token, fromJwks, Issued));
    }
    KeySet fromPem;
    if (fromPem.addPem(input)) {
        static_cast<void>(verify(fixture().rs256Token, fromPem, Issued));
        static_cast<void>(verify(fixture().es256Token, fromPem, Issued));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(data, static_cast<qsizetype>(size));
    static_cast<void>(verify(input, fixture().hmacKeys, Issued));
    static_cast<void>(verify(input, fixture().mixedKeys, Issued, fixture().strict));
    checkWithKeysFrom(input);
    return 0;
}
