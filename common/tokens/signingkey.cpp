#include "signingkey.h"

#include "jwterror.h"
#include "pkey.h"

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Tokens {

SigningKey::SigningKey(KeyType type, QByteArray secret, std::shared_ptr<evp_pkey_st> privateKey)
    : m_type(type)
    , m_secret(std::move(secret))
    , m_privateKey(std::move(privateKey))
{ }

Result<SigningKey> SigningKey::fromSecret(const QByteArray &secret)
{
    if (secret.isEmpty()) {
        return jwtError(JwtError::InvalidKey, u"the HMAC secret is empty"_s);
    }
    return SigningKey(KeyType::Secret, secret, nullptr);
}

Result<SigningKey> SigningKey::fromPrivateKeyPem(QByteArrayView pem)
{
    Result<Internal::PKey> key = Internal::privateKeyFromPem(pem);
    if (!key) {
        return key.error();
    }
    const Result<KeyType> type = Internal::keyTypeOf(*key);
    if (!type) {
        return type.error();
    }
    return SigningKey(*type, {}, *key);
}

Result<QByteArray> SigningKey::sign(Algorithm algorithm, QByteArrayView signingInput) const
{
    if (keyTypeFor(algorithm) != m_type) {
        return jwtError(JwtError::AlgorithmNotAllowed,
                        u"this key cannot sign %1 tokens"_s.arg(algorithmName(algorithm)));
    }
    if (m_type == KeyType::Secret) {
        QByteArray signature = Internal::hmac(algorithm, m_secret, signingInput);
        if (signature.isEmpty()) {
            return jwtError(JwtError::InvalidKey, u"OpenSSL could not compute the HMAC"_s);
        }
        return signature;
    }
    return Internal::signWithKey(algorithm, m_privateKey, signingInput);
}

} // namespace DNotifier::Tokens
