#pragma once

// The key a tool signs tokens with: a shared secret for HS256/384/512, or an RSA or EC P-256
// private key (PEM) for RS256 or ES256. Used by `dnotifier-node token`, the console and the
// tests; the node itself only verifies. Immutable once loaded, safe from any thread.

#include "algorithm.h"

#include <common/result.h>

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

// OpenSSL's EVP_PKEY, named here without pulling OpenSSL headers into every user.
struct evp_pkey_st;

namespace DNotifier::Tokens {

class SigningKey final
{
public:
    static Result<SigningKey> fromSecret(const QByteArray &secret);
    // One unencrypted private key block: PKCS#8 "PRIVATE KEY", "RSA PRIVATE KEY" or
    // "EC PRIVATE KEY". RSA keys need 2048 bits or more, EC keys the P-256 curve.
    static Result<SigningKey> fromPrivateKeyPem(QByteArrayView pem);

    KeyType type() const { return m_type; }

    // The JWS signature over `signingInput` (raw r||s for ES256). Fails with
    // AlgorithmNotAllowed when the algorithm needs another type of key.
    Result<QByteArray> sign(Algorithm algorithm, QByteArrayView signingInput) const;

private:
    SigningKey(KeyType type, QByteArray secret, std::shared_ptr<evp_pkey_st> privateKey);

    KeyType m_type;
    QByteArray m_secret;
    std::shared_ptr<evp_pkey_st> m_privateKey;
};

} // namespace DNotifier::Tokens
