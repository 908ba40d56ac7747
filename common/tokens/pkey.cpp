#include "pkey.h"

#include "evp.h"

#include <optional>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Tokens::Internal {

namespace {

constexpr int MinimumRsaBits = 2048;
constexpr int P256FieldSize = 32;
constexpr qsizetype MaximumPemSize = 64 * 1024;

using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

struct PemBlock
{
    QByteArray label;
    QByteArray der;
};

const EVP_MD *digestFor(Algorithm algorithm)
{
    switch (algorithm) {
    case Algorithm::HS384:
        return EVP_sha384();
    case Algorithm::HS512:
        return EVP_sha512();
    case Algorithm::HS256:
    case Algorithm::RS256:
    case Algorithm::ES256:
        return EVP_sha256();
    }
    Q_UNREACHABLE();
    return nullptr;
}

BioPtr memoryBio(QByteArrayView data)
{
    return BioPtr(BIO_new_mem_buf(data.data(), int(data.size())));
}

std::optional<PemBlock> readPemBlock(BIO *bio)
{
    char *name = nullptr;
    char *header = nullptr;
    unsigned char *data = nullptr;
    long length = 0;
    if (PEM_read_bio(bio, &name, &header, &data, &length) != 1) {
        return std::nullopt;
    }
    PemBlock block{QByteArray(name), QByteArray(reinterpret_cast<const char *>(data), length)};
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    return block;
}

// Exactly one block, so that a second key pasted into the same setting is not silently lost.
Result<PemBlock> singlePemBlock(QByteArrayView pem)
{
    if (pem.size() > MaximumPemSize) {
        return keyError(u"the PEM text is larger than 64 KiB"_s);
    }
    const BioPtr bio = memoryBio(pem);
    std::optional<PemBlock> block = readPemBlock(bio.get());
    if (!block) {
        return keyError(u"no PEM block found in the key text"_s);
    }
    if (readPemBlock(bio.get())) {
        return keyError(u"the key text holds more than one PEM block; give one key per entry"_s);
    }
    return std::move(*block);
}

Result<PKey> decodePublicKey(const PemBlock &block)
{
    const auto *begin = bytes(block.der);
    const auto *cursor = begin;
    EVP_PKEY *raw = nullptr;
    if (block.label == "PUBLIC KEY") {
        raw = d2i_PUBKEY(nullptr, &cursor, long(block.der.size()));
    } else if (block.label == "RSA PUBLIC KEY") {
        raw = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &cursor, long(block.der.size()));
    } else {
        return keyError(u"expected a PUBLIC KEY or RSA PUBLIC KEY PEM block, found %1"_s.arg(
                QString::fromLatin1(block.label)));
    }

    PKey key = adoptKey(raw);
    if (!key) {
        return keyError(u"the %1 PEM block does not hold a valid key"_s.arg(
                QString::fromLatin1(block.label)));
    }
    if (cursor != begin + block.der.size()) {
        return keyError(u"the %1 PEM block has trailing data after the key"_s.arg(
                QString::fromLatin1(block.label)));
    }
    return key;
}

// JWS carries an ECDSA signature as r||s, each padded to the field size; OpenSSL wants the
// DER SEQUENCE of two INTEGERs.
std::optional<QByteArray> rawToDerSignature(QByteArrayView raw)
{
    if (raw.size() != 2 * P256FieldSize) {
        return std::nullopt;
    }
    BignumPtr r(BN_bin2bn(bytes(raw), P256FieldSize, nullptr));
    BignumPtr s(BN_bin2bn(bytes(raw) + P256FieldSize, P256FieldSize, nullptr));
    const EcdsaSigPtr signature(ECDSA_SIG_new());
    if (!r || !s || !signature || ECDSA_SIG_set0(signature.get(), r.get(), s.get()) != 1) {
        return std::nullopt;
    }
    // ECDSA_SIG_set0 took ownership of both numbers.
    r.release();
    s.release();

    const int length = i2d_ECDSA_SIG(signature.get(), nullptr);
    if (length <= 0) {
        return std::nullopt;
    }
    QByteArray der(length, Qt::Uninitialized);
    auto *cursor = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_ECDSA_SIG(signature.get(), &cursor) != length) {
        return std::nullopt;
    }
    return der;
}

std::optional<QByteArray> derToRawSignature(QByteArrayView der)
{
    const auto *cursor = bytes(der);
    const EcdsaSigPtr signature(d2i_ECDSA_SIG(nullptr, &cursor, long(der.size())));
    if (!signature) {
        return std::nullopt;
    }
    const BIGNUM *r = nullptr;
    const BIGNUM *s = nullptr;
    ECDSA_SIG_get0(signature.get(), &r, &s);

    QByteArray raw(2 * P256FieldSize, Qt::Uninitialized);
    auto *target = reinterpret_cast<unsigned char *>(raw.data());
    if (BN_bn2binpad(r, target, P256FieldSize) != P256FieldSize
        || BN_bn2binpad(s, target + P256FieldSize, P256FieldSize) != P256FieldSize) {
        return std::nullopt;
    }
    return raw;
}

bool usePkcs1Padding(Algorithm algorithm, EVP_PKEY_CTX *context)
{
    if (algorithm != Algorithm::RS256) {
        return true;
    }
    return EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1;
}

} // namespace

Result<PKey> publicKeyFromPem(QByteArrayView pem)
{
    const ErrorQueueMark mark;
    const Result<PemBlock> block = singlePemBlock(pem);
    if (!block) {
        return block.error();
    }
    Result<PKey> key = decodePublicKey(*block);
    if (!key) {
        return key;
    }
    if (const Result<KeyType> type = keyTypeOf(*key); !type) {
        return type.error();
    }
    return key;
}

Result<PKey> privateKeyFromPem(QByteArrayView pem)
{
    const ErrorQueueMark mark;
    if (pem.size() > MaximumPemSize) {
        return keyError(u"the PEM text is larger than 64 KiB"_s);
    }
    // A daemon has no terminal to ask for a passphrase on: an encrypted key simply fails.
    auto noPassphrase = [](char *, int, int, void *) { return 0; };
    const BioPtr bio = memoryBio(pem);
    PKey key = adoptKey(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
    if (!key) {
        return keyError(u"no unencrypted private key PEM block found in the key text"_s);
    }
    if (const Result<KeyType> type = keyTypeOf(key); !type) {
        return type.error();
    }
    return key;
}

Result<KeyType> keyTypeOf(const PKey &key)
{
    if (EVP_PKEY_is_a(key.get(), "RSA")) {
        if (EVP_PKEY_get_bits(key.get()) < MinimumRsaBits) {
            return keyError(u"RSA keys shorter than 2048 bits are refused"_s);
        }
        return KeyType::Rsa;
    }
    if (EVP_PKEY_is_a(key.get(), "EC")) {
        char group[64] = {};
        size_t length = 0;
        if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &length) != 1
            || qstrcmp(group, "prime256v1") != 0) {
            return keyError(u"only EC keys on the P-256 curve (ES256) are supported"_s);
        }
        return KeyType::EcP256;
    }
    return keyError(u"unsupported key type; RSA and EC P-256 keys are supported"_s);
}

QByteArray hmac(Algorithm algorithm, QByteArrayView secret, QByteArrayView data)
{
    const ErrorQueueMark mark;
    const char *digestName = EVP_MD_get0_name(digestFor(algorithm));
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t length = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, digestName, nullptr, secret.data(),
                   size_t(secret.size()), bytes(data), size_t(data.size()), out, sizeof out,
                   &length)) {
        return {};
    }
    return QByteArray(reinterpret_cast<const char *>(out), qsizetype(length));
}

bool verifySignature(Algorithm algorithm,
                     const PKey &key,
                     QByteArrayView data,
                     QByteArrayView signature)
{
    Q_ASSERT(keyTypeFor(algorithm) != KeyType::Secret);
    const ErrorQueueMark mark;
    QByteArray der;
    if (algorithm == Algorithm::ES256) {
        std::optional<QByteArray> converted = rawToDerSignature(signature);
        if (!converted) {
            return false;
        }
        der = std::move(*converted);
        signature = der;
    }

    const MdCtxPtr context(EVP_MD_CTX_new());
    EVP_PKEY_CTX *keyContext = nullptr;
    if (!context
        || EVP_DigestVerifyInit(context.get(), &keyContext, digestFor(algorithm), nullptr,
                                key.get())
                   != 1
        || !usePkcs1Padding(algorithm, keyContext)) {
        return false;
    }
    return EVP_DigestVerify(context.get(), bytes(signature), size_t(signature.size()), bytes(data),
                            size_t(data.size()))
           == 1;
}

Result<QByteArray> signWithKey(Algorithm algorithm, const PKey &key, QByteArrayView data)
{
    Q_ASSERT(keyTypeFor(algorithm) != KeyType::Secret);
    const ErrorQueueMark mark;
    const Error failed = keyError(u"OpenSSL could not sign with this key"_s);
    const MdCtxPtr context(EVP_MD_CTX_new());
    EVP_PKEY_CTX *keyContext = nullptr;
    size_t length = 0;
    if (!context
        || EVP_DigestSignInit(context.get(), &keyContext, digestFor(algorithm), nullptr, key.get())
                   != 1
        || !usePkcs1Padding(algorithm, keyContext)
        || EVP_DigestSign(context.get(), nullptr, &length, bytes(data), size_t(data.size())) != 1) {
        return failed;
    }

    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    auto *target = reinterpret_cast<unsigned char *>(signature.data());
    if (EVP_DigestSign(context.get(), target, &length, bytes(data), size_t(data.size())) != 1) {
        return failed;
    }
    signature.resize(qsizetype(length));
    if (algorithm != Algorithm::ES256) {
        return signature;
    }
    std::optional<QByteArray> raw = derToRawSignature(signature);
    if (!raw) {
        return failed;
    }
    return std::move(*raw);
}

} // namespace DNotifier::Tokens::Internal
