#include "jwk.h"

#include "base64url.h"
#include "evp.h"

#include <QJsonValue>

#include <openssl/core_names.h>
#include <openssl/param_build.h>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Tokens::Internal {

namespace {

constexpr qsizetype P256FieldSize = 32;

using ParamBuildPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

Result<QByteArray> decodedMember(const QJsonObject &jwk, QLatin1StringView name)
{
    const QJsonValue value = jwk.value(name);
    if (!value.isString()) {
        return keyError(u"the JWK has no string member %1"_s.arg(name));
    }
    std::optional<QByteArray> decoded = base64UrlDecode(value.toString().toLatin1());
    if (!decoded || decoded->isEmpty()) {
        return keyError(u"the JWK member %1 is not unpadded base64url"_s.arg(name));
    }
    return std::move(*decoded);
}

// The parameter names are the OpenSSL 3 provider ones (OSSL_PKEY_PARAM_*).
Result<PKey> keyFromParameters(const char *type, OSSL_PARAM_BLD *build)
{
    const ParamPtr params(OSSL_PARAM_BLD_to_param(build));
    const PKeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY *raw = nullptr;
    if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1
        || EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return keyError(u"OpenSSL refused the JWK parameters"_s);
    }
    PKey key = adoptKey(raw);

    // For EC this proves the point lies on the curve, for RSA that n and e are plausible.
    const PKeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
        return keyError(u"the JWK does not describe a valid public key"_s);
    }
    return key;
}

Result<PKey> rsaKeyFromJwk(const QJsonObject &jwk)
{
    const Result<QByteArray> modulus = decodedMember(jwk, "n"_L1);
    if (!modulus) {
        return modulus.error();
    }
    const Result<QByteArray> exponent = decodedMember(jwk, "e"_L1);
    if (!exponent) {
        return exponent.error();
    }

    const BignumPtr n(BN_bin2bn(bytes(*modulus), int(modulus->size()), nullptr));
    const BignumPtr e(BN_bin2bn(bytes(*exponent), int(exponent->size()), nullptr));
    const ParamBuildPtr build(OSSL_PARAM_BLD_new());
    if (!n || !e || !build
        || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1
        || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
        return keyError(u"OpenSSL refused the JWK parameters"_s);
    }
    return keyFromParameters("RSA", build.get());
}

Result<PKey> ecKeyFromJwk(const QJsonObject &jwk)
{
    const Result<QByteArray> x = decodedMember(jwk, "x"_L1);
    if (!x) {
        return x.error();
    }
    const Result<QByteArray> y = decodedMember(jwk, "y"_L1);
    if (!y) {
        return y.error();
    }
    // RFC 7518 section 6.2.1.2: the coordinates are the full field size, leading zeros kept.
    if (x->size() != P256FieldSize || y->size() != P256FieldSize) {
        return keyError(u"the P-256 JWK coordinates must be 32 bytes each"_s);
    }

    // SEC 1 uncompressed point: 0x04, then x and y.
    const QByteArray point = '\x04' + *x + *y;
    const ParamBuildPtr build(OSSL_PARAM_BLD_new());
    if (!build
        || OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)
                   != 1
        || OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                            size_t(point.size()))
                   != 1) {
        return keyError(u"OpenSSL refused the JWK parameters"_s);
    }
    return keyFromParameters("EC", build.get());
}

} // namespace

Result<PKey> publicKeyFromJwk(const QJsonObject &jwk, KeyType type)
{
    const ErrorQueueMark mark;
    Result<PKey> key = type == KeyType::Rsa ? rsaKeyFromJwk(jwk) : ecKeyFromJwk(jwk);
    if (!key) {
        return key;
    }
    if (const Result<KeyType> actual = keyTypeOf(*key); !actual) {
        return actual.error();
    }
    return key;
}

} // namespace DNotifier::Tokens::Internal
