// Fingerprints in the protocol's format and the pinning decision.

#include <common/crypto/digest.h>
#include <console/admin/fingerprint.h>

#include <QFile>
#include <QSslCertificate>
#include <QTest>

using namespace DNotifier;
using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

namespace {

// `openssl x509 -in data/admin-cert.pem -noout -fingerprint -sha256`
const QString OpenSslFingerprint =
        u"F7:7C:0F:5C:63:E9:AA:1E:98:A6:A7:F1:23:16:BA:D0:69:4E:81:3D:EC:B1:BF:E0:F0:71:B5:BD:BD:E2:C3:E0"_s;

} // namespace

class tst_Fingerprint final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatsDigestAsColonSeparatedUpperHex();
    void certificateFingerprintMatchesOpenSsl();
    void normalizesWhatPeoplePaste_data();
    void normalizesWhatPeoplePaste();
    void decidesPins_data();
    void decidesPins();
};

void tst_Fingerprint::formatsDigestAsColonSeparatedUpperHex()
{
    QCOMPARE(Crypto::fingerprintText(QByteArray::fromHex("5c1f009a")), u"5C:1F:00:9A"_s);
    QCOMPARE(Crypto::fingerprintText({}), QString());
    const QString full = Crypto::fingerprintText(QByteArray(32, '\xab'));
    QCOMPARE(full.size(), 32 * 3 - 1);
    QCOMPARE(full.count(u':'), 31);
}

void tst_Fingerprint::certificateFingerprintMatchesOpenSsl()
{
    QFile file(QFINDTESTDATA("data/admin-cert.pem"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QSslCertificate certificate(file.readAll(), QSsl::Pem);
    QVERIFY(!certificate.isNull());
    QCOMPARE(certificateFingerprint(certificate), OpenSslFingerprint);
    QCOMPARE(certificateFingerprint(QSslCertificate()), QString());
}

void tst_Fingerprint::normalizesWhatPeoplePaste_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("canonical form stays") << OpenSslFingerprint << OpenSslFingerprint;
    QTest::newRow("lower case is raised") << OpenSslFingerprint.toLower() << OpenSslFingerprint;
    QTest::newRow("bare hex gets colons")
            << OpenSslFingerprint.toLower().remove(u':') << OpenSslFingerprint;
    QTest::newRow("spaces and a newline are ignored")
            << u"  "_s + OpenSslFingerprint.left(48) + u"\n"_s + OpenSslFingerprint.mid(48)
            << OpenSslFingerprint;
    QTest::newRow("a SHA-1 fingerprint is too short") << OpenSslFingerprint.left(59) << QString();
    QTest::newRow("a non-hex digit is rejected")
            << OpenSslFingerprint.left(94) + u"G0"_s << QString();
    QTest::newRow("empty text is no fingerprint") << QString() << QString();
}

void tst_Fingerprint::normalizesWhatPeoplePaste()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(normalizeFingerprint(text), expected);
}

void tst_Fingerprint::decidesPins_data()
{
    const QString other = Crypto::fingerprintText(QByteArray(32, '\x01'));
    QTest::addColumn<QString>("pinned");
    QTest::addColumn<QString>("presented");
    QTest::addColumn<PinDecision>("decision");
    QTest::newRow("the pinned certificate is trusted")
            << OpenSslFingerprint << OpenSslFingerprint << PinDecision::Trusted;
    QTest::newRow("a pin in lower case still matches")
            << OpenSslFingerprint.toLower() << OpenSslFingerprint << PinDecision::Trusted;
    QTest::newRow("nothing pinned is first contact")
            << QString() << OpenSslFingerprint << PinDecision::FirstContact;
    QTest::newRow("another certificate is a mismatch")
            << OpenSslFingerprint << other << PinDecision::Mismatch;
    QTest::newRow("a damaged pin matches nothing")
            << u"not a fingerprint"_s << OpenSslFingerprint << PinDecision::Mismatch;
    QTest::newRow("no certificate shown is a mismatch")
            << OpenSslFingerprint << QString() << PinDecision::Mismatch;
}

void tst_Fingerprint::decidesPins()
{
    QFETCH(QString, pinned);
    QFETCH(QString, presented);
    QFETCH(PinDecision, decision);
    QCOMPARE(decidePin(pinned, presented), decision);
}

QTEST_GUILESS_MAIN(tst_Fingerprint)
#include "tst_fingerprint.moc"
