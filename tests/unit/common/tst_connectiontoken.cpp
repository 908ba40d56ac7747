#include <common/tokens/connectiontoken.h>
#include <common/tokens/jwt.h>
#include <common/tokens/keyset.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace DNotifier;
using namespace Qt::Literals::StringLiterals;

class tst_ConnectionToken final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesDurations_data();
    void parsesDurations();
    void refusesDurations_data();
    void refusesDurations();
    void issuedTokenVerifiesWithTheClaims();
    void anonymousTokenWithoutChannelsOrInfo();
};

void tst_ConnectionToken::parsesDurations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("seconds");
    QTest::newRow("a bare number is seconds") << u"90"_s << qint64(90);
    QTest::newRow("s is seconds") << u"90s"_s << qint64(90);
    QTest::newRow("m is minutes") << u"15m"_s << qint64(900);
    QTest::newRow("h is hours") << u"1h"_s << qint64(3600);
    QTest::newRow("d is days") << u"7d"_s << qint64(604800);
    QTest::newRow("366 days is the longest") << u"366d"_s << qint64(366 * 86400);
    QTest::newRow("surrounding spaces are ignored") << u" 2h "_s << qint64(7200);
}

void tst_ConnectionToken::parsesDurations()
{
    QFETCH(QString, text);
    QFETCH(qint64, seconds);
    const auto parsed = Tokens::parseDuration(text);
    QVERIFY2(parsed.isOk(), qPrintable(parsed.error().message));
    QCOMPARE(parsed.value(), seconds);
}

void tst_ConnectionToken::refusesDurations_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("zero") << u"0"_s;
    QTest::newRow("negative") << u"-5m"_s;
    QTest::newRow("an unknown unit") << u"3w"_s;
    QTest::newRow("a unit alone") << u"h"_s;
    QTest::newRow("a fraction") << u"1.5h"_s;
    QTest::newRow("longer than 366 days") << u"367d"_s;
    QTest::newRow("a number that overflows") << u"99999999999999999999"_s;
}

void tst_ConnectionToken::refusesDurations()
{
    QFETCH(QString, text);
    const auto parsed = Tokens::parseDuration(text);
    QVERIFY(!parsed.isOk());
    QVERIFY(parsed.error().message.contains(u"duration"_s));
}

void tst_ConnectionToken::issuedTokenVerifiesWithTheClaims()
{
    Tokens::ConnectionTokenRequest request;
    request.subject = u"u42"_s;
    request.channels = {u"news"_s, u"personal:u42"_s};
    request.info = QJsonObject{{u"name"_s, u"Ada"_s}};
    request.ttlSeconds = 600;
    request.issuedAt = 1'700'000'000;
    const auto token = Tokens::issueConnectionToken(request, "app-secret");
    QVERIFY(token.isOk());

    const auto keys = Tokens::KeySet::fromSecret("app-secret");
    QVERIFY(keys.isOk());
    const auto claims = Tokens::verify(token.value(), keys.value(), 1'700'000'100);
    QVERIFY2(claims.isOk(), qPrintable(claims.error().message));
    QCOMPARE(claims->subject, u"u42"_s);
    QCOMPARE(claims->expiresAt, std::optional<qint64>(1'700'000'600));
    QCOMPARE(claims->issuedAt, std::optional<qint64>(1'700'000'000));
    QCOMPARE(claims->payload.value(u"channels"_s).toArray(),
             QJsonArray({u"news"_s, u"personal:u42"_s}));
    QCOMPARE(claims->payload.value(u"info"_s).toObject(), QJsonObject({{u"name"_s, u"Ada"_s}}));

    const auto expired = Tokens::verify(token.value(), keys.value(), 1'700'000'631);
    QVERIFY(!expired.isOk());
    QCOMPARE(Tokens::jwtErrorOf(expired.error()), Tokens::JwtError::Expired);
}

void tst_ConnectionToken::anonymousTokenWithoutChannelsOrInfo()
{
    Tokens::ConnectionTokenRequest request;
    request.issuedAt = 1'700'000'000;
    const auto token = Tokens::issueConnectionToken(request, "app-secret");
    QVERIFY(token.isOk());
    const auto keys = Tokens::KeySet::fromSecret("app-secret");
    const auto claims = Tokens::verify(token.value(), keys.value(), 1'700'000'000);
    QVERIFY(claims.isOk());
    QCOMPARE(claims->subject, QString());
    QVERIFY(!claims->payload.contains(u"channels"_s));
    QVERIFY(!claims->payload.contains(u"info"_s));
    QCOMPARE(claims->expiresAt, std::optional<qint64>(1'700'003'600));
}

QTEST_GUILESS_MAIN(tst_ConnectionToken)
#include "tst_connectiontoken.moc"
