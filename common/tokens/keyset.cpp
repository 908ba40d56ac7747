#include "keyset.h"

#include "jwk.h"
#include "jwterror.h"
#include "pkey.h"

#include <common/crypto/digest.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Tokens {

struct KeySet::Key
{
    KeyType type = KeyType::Secret;
    std::optional<QString> id;
    QByteArray secret;        // KeyType::Secret
    Internal::PKey publicKey; // the other types
};

namespace {

// A JWKS is configuration, but it may come from an identity provider's URL.
constexpr qsizetype MaximumJwksSize = 256 * 1024;

std::optional<QString> idOf(const QString &keyId)
{
    if (keyId.isEmpty()) {
        return std::nullopt;
    }
    return keyId;
}

// A JWKS may rightly hold keys for other purposes (encryption, other algorithms), and an
// identity provider may add new kinds at any time: such keys are skipped, not errors.
bool isForOtherUse(const QJsonObject &jwk)
{
    if (jwk.contains("use"_L1) && jwk.value("use"_L1) != "sig"_L1) {
        return true;
    }
    const QJsonValue operations = jwk.value("key_ops"_L1);
    return operations.isArray() && !operations.toArray().contains("verify"_L1);
}

// The key type a JWK provides for our algorithms, or nullopt to skip it.
std::optional<KeyType> usableTypeOf(const QJsonObject &jwk)
{
    const QString kty = jwk.value("kty"_L1).toString();
    const QJsonValue alg = jwk.value("alg"_L1);
    if (kty == "RSA"_L1 && (alg.isUndefined() || alg == "RS256"_L1)) {
        return KeyType::Rsa;
    }
    if (kty == "EC"_L1 && jwk.value("crv"_L1) == "P-256"_L1
        && (alg.isUndefined() || alg == "ES256"_L1)) {
        return KeyType::EcP256;
    }
    return std::nullopt;
}

Error jwkError(qsizetype index, const QString &reason)
{
    return jwtError(JwtError::InvalidKey, u"JWKS key %1: %2"_s.arg(QString::number(index), reason));
}

} // namespace

Result<KeySet> KeySet::fromSecret(const QByteArray &secret, const QString &keyId)
{
    KeySet keys;
    if (Result<void> added = keys.addSecret(secret, keyId); !added) {
        return added.error();
    }
    return keys;
}

Result<KeySet> KeySet::fromPem(QByteArrayView pem, const QString &keyId)
{
    KeySet keys;
    if (Result<void> added = keys.addPem(pem, keyId); !added) {
        return added.error();
    }
    return keys;
}

Result<KeySet> KeySet::fromJwks(QByteArrayView json)
{
    KeySet keys;
    if (Result<void> added = keys.addJwks(json); !added) {
        return added.error();
    }
    return keys;
}

Result<void> KeySet::addSecret(const QByteArray &secret, const QString &keyId)
{
    // An empty HMAC key would let anyone sign; it is always a configuration mistake.
    if (secret.isEmpty()) {
        return jwtError(JwtError::InvalidKey, u"the HMAC secret is empty"_s);
    }
    m_keys.push_back(std::make_shared<const Key>(Key{KeyType::Secret, idOf(keyId), secret, {}}));
    return {};
}

Result<void> KeySet::addPem(QByteArrayView pem, const QString &keyId)
{
    Result<Internal::PKey> key = Internal::publicKeyFromPem(pem);
    if (!key) {
        return key.error();
    }
    const Result<KeyType> type = Internal::keyTypeOf(*key);
    if (!type) {
        return type.error();
    }
    m_keys.push_back(std::make_shared<const Key>(Key{*type, idOf(keyId), {}, *key}));
    return {};
}

Result<void> KeySet::addJwks(QByteArrayView json)
{
    if (json.size() > MaximumJwksSize) {
        return jwtError(JwtError::InvalidKey, u"the JWKS document is larger than 256 KiB"_s);
    }
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray());
    const QJsonValue list = document.object().value("keys"_L1);
    if (!document.isObject() || !list.isArray()) {
        return jwtError(JwtError::InvalidKey, u"the JWKS is not a JSON object with a keys array"_s);
    }

    std::vector<std::shared_ptr<const Key>> imported;
    const QJsonArray entries = list.toArray();
    for (qsizetype index = 0; index < entries.size(); ++index) {
        const QJsonValue entry = entries.at(index);
        if (!entry.isObject()) {
            return jwkError(index, u"not a JSON object"_s);
        }
        const QJsonObject jwk = entry.toObject();
        const QJsonValue kid = jwk.value("kid"_L1);
        if (!jwk.value("kty"_L1).isString() || !(kid.isUndefined() || kid.isString())) {
            return jwkError(index, u"kty must be a string, and kid a string when present"_s);
        }
        const std::optional<KeyType> type = usableTypeOf(jwk);
        if (!type || isForOtherUse(jwk)) {
            continue;
        }
        Result<Internal::PKey> key = Internal::publicKeyFromJwk(jwk, *type);
        if (!key) {
            return jwkError(index, key.error().message);
        }
        const std::optional<QString> id = kid.isString() ? idOf(kid.toString()) : std::nullopt;
        imported.push_back(std::make_shared<const Key>(Key{*type, id, {}, *key}));
    }

    if (imported.empty()) {
        return jwtError(JwtError::InvalidKey, u"the JWKS holds no RS256 or ES256 signature key"_s);
    }
    m_keys.insert(m_keys.end(), imported.begin(), imported.end());
    return {};
}

bool KeySet::isEmpty() const
{
    return m_keys.empty();
}

qsizetype KeySet::size() const
{
    return qsizetype(m_keys.size());
}

Result<void> KeySet::verify(Algorithm algorithm,
                            const std::optional<QString> &keyId,
                            QByteArrayView signingInput,
                            QByteArrayView signature) const
{
    const KeyType type = keyTypeFor(algorithm);
    std::vector<const Key *> typed;
    for (const auto &key : m_keys) {
        if (key->type == type) {
            typed.push_back(key.get());
        }
    }
    if (typed.empty()) {
        return jwtError(JwtError::AlgorithmNotAllowed,
                        u"%1 tokens are not accepted: no configured key is of the type it needs"_s
                                .arg(algorithmName(algorithm)));
    }

    std::vector<const Key *> candidates = typed;
    if (keyId) {
        auto hasOtherId = [&keyId](const Key *key) { return key->id != keyId; };
        std::erase_if(candidates, hasOtherId);
        if (candidates.empty()) {
            candidates = typed;
            std::erase_if(candidates, [](const Key *key) { return key->id.has_value(); });
        }
        if (candidates.empty()) {
            return jwtError(JwtError::UnknownKeyId,
                            u"no configured key has the token's key id (kid)"_s);
        }
    }

    const bool matched = std::any_of(candidates.begin(), candidates.end(), [&](const Key *key) {
        if (type == KeyType::Secret) {
            const QByteArray expected = Internal::hmac(algorithm, key->secret, signingInput);
            return !expected.isEmpty()
                   && Crypto::constantTimeEquals(expected, signature.toByteArray());
        }
        return Internal::verifySignature(algorithm, key->publicKey, signingInput, signature);
    });
    if (!matched) {
        return jwtError(JwtError::BadSignature, u"the token signature does not verify"_s);
    }
    return {};
}

} // namespace DNotifier::Tokens
