#include "selfsigned.h"

#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

namespace DNotifier::Crypto {

using namespace Qt::Literals::StringLiterals;

namespace {

template<typename T, auto Free>
struct Deleter
{
    void operator()(T *pointer) const { Free(pointer); }
};

using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

Error failure(const char *step)
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    char reason[256] = {};
    ERR_error_string_n(code, reason, sizeof reason);
    return Error{0, u"cannot make a self-signed certificate (%1): %2"_s.arg(QLatin1StringView(step),
                                                                            QLatin1StringView(
                                                                                    reason))};
}

QByteArray drain(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, qsizetype(size));
}

} // namespace

Result<PemCertificate> generateSelfSignedCertificate(const QString &commonName, int validDays)
{
    const KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) {
        return failure("key");
    }
    const X509Ptr certificate(X509_new());
    if (!certificate || X509_set_version(certificate.get(), 2) != 1) {
        return failure("certificate");
    }
    // A random 127-bit serial: certificates of different nodes never share one.
    unsigned char serialBytes[16];
    if (RAND_bytes(serialBytes, sizeof serialBytes) != 1) {
        return failure("serial");
    }
    serialBytes[0] &= 0x7f;
    const BignumPtr serial(BN_bin2bn(serialBytes, sizeof serialBytes, nullptr));
    if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()))) {
        return failure("serial");
    }
    if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0)
        || !X509_gmtime_adj(X509_getm_notAfter(certificate.get()), long(validDays) * 24 * 3600)) {
        return failure("validity");
    }
    X509_NAME *name = X509_get_subject_name(certificate.get());
    const QByteArray cn = commonName.toUtf8();
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char *>(cn.constData()),
                                   int(cn.size()), -1, 0)
                != 1
        || X509_set_issuer_name(certificate.get(), name) != 1
        || X509_set_pubkey(certificate.get(), key.get()) != 1
        || X509_sign(certificate.get(), key.get(), EVP_sha256()) <= 0) {
        return failure("signature");
    }

    const BioPtr certificateBio(BIO_new(BIO_s_mem()));
    const BioPtr keyBio(BIO_new(BIO_s_mem()));
    if (!certificateBio || !keyBio
        || PEM_write_bio_X509(certificateBio.get(), certificate.get()) != 1
        || PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
                   != 1) {
        return failure("PEM");
    }
    return PemCertificate{drain(certificateBio.get()), drain(keyBio.get())};
}

} // namespace DNotifier::Crypto
