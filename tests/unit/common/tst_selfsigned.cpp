#include <common/crypto/selfsigned.h>

#include <QDateTime>
#include <QSslCertificate>
#include <QSslKey>
#include <QTest>

#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace DNotifier::Crypto;
using namespace Qt::Literals::StringLiterals;

class tst_SelfSigned : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void certificateIsSelfSignedForItsKey();
    void eachCallMakesANewKeyAndSerial();
};

void tst_SelfSigned::certificateIsSelfSignedForItsKey()
{
    const auto made = generateSelfSignedCertificate(u"dnotifier peer"_s, 30);
    QVERIFY2(made, qPrintable(made ? QString() : made.error().message));
    const QSslCertificate certificate(made->certificate, QSsl::Pem);
    QVERIFY(!certificate.isNull());
    QVERIFY(certificate.isSelfSigned());
    QCOMPARE(certificate.subjectInfo(QSslCertificate::CommonName),
             QStringList{u"dnotifier peer"_s});
    QCOMPARE(certificate.issuerInfo(QSslCertificate::CommonName), QStringList{u"dnotifier peer"_s});
    const qint64 days = certificate.effectiveDate().daysTo(certificate.expiryDate());
    QCOMPARE(days, 30);
    QVERIFY(qAbs(certificate.effectiveDate().secsTo(QDateTime::currentDateTimeUtc())) < 3600);

    const QSslKey key(made->privateKey, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
    QVERIFY(!key.isNull());
    QCOMPARE(key.length(), 256);
    // The certificate carries the public half of this very key (checked by OpenSSL itself).
    BIO *certificateBio =
            BIO_new_mem_buf(made->certificate.constData(), int(made->certificate.size()));
    BIO *keyBio = BIO_new_mem_buf(made->privateKey.constData(), int(made->privateKey.size()));
    X509 *parsed = PEM_read_bio_X509(certificateBio, nullptr, nullptr, nullptr);
    EVP_PKEY *privateKey = PEM_read_bio_PrivateKey(keyBio, nullptr, nullptr, nullptr);
    const bool matches = parsed && privateKey && X509_check_private_key(parsed, privateKey) == 1;
    const bool selfVerified = parsed && privateKey && X509_verify(parsed, privateKey) == 1;
    EVP_PKEY_free(privateKey);
    X509_free(parsed);
    BIO_free(keyBio);
    BIO_free(certificateBio);
    QVERIFY(matches);
    QVERIFY(selfVerified);
    QVERIFY(made->privateKey.startsWith("-----BEGIN PRIVATE KEY-----"));
}

void tst_SelfSigned::eachCallMakesANewKeyAndSerial()
{
    const auto first = generateSelfSignedCertificate(u"a"_s, 1);
    const auto second = generateSelfSignedCertificate(u"a"_s, 1);
    QVERIFY(first && second);
    QVERIFY(first->privateKey != second->privateKey);
    const QSslCertificate one(first->certificate, QSsl::Pem);
    const QSslCertificate two(second->certificate, QSsl::Pem);
    QVERIFY(one.serialNumber() != two.serialNumber());
    QVERIFY(one.digest(QCryptographicHash::Sha256) != two.digest(QCryptographicHash::Sha256));
}

QTEST_GUILESS_MAIN(tst_SelfSigned)
#include "tst_selfsigned.moc"
