#pragma once

// Internal to common/tokens: the OpenSSL side of JWS (loading PEM keys, HMAC, RSA and ECDSA
// signatures; JWK import is in jwk.h). Everything goes through the OpenSSL 3 EVP interfaces. A loaded key is never
// modified afterwards, which OpenSSL documents as safe to share between threads; every
// function here is safe from any thread and leaves the thread's OpenSSL error queue as it
// found it.

#include "algorithm.h"

#include <common/result.h>

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

#include <openssl/types.h>

namespace DNotifier::Tokens::Internal {

using PKey = std::shared_ptr<EVP_PKEY>;

// One "PUBLIC KEY" (SubjectPublicKeyInfo) or "RSA PUBLIC KEY" (PKCS#1) PEM block.
Result<PKey> publicKeyFromPem(QByteArrayView pem);

// One unencrypted private key PEM block (PKCS#8 or the traditional RSA/EC forms).
Result<PKey> privateKeyFromPem(QByteArrayView pem);

// RSA keys of 2048 bits or more and EC keys on P-256; anything else is an error.
Result<KeyType> keyTypeOf(const PKey &key);

QByteArray hmac(Algorithm algorithm, QByteArrayView secret, QByteArrayView data);

// For RS256 and ES256; `signature` is in JWS form (raw r||s for ES256).
bool verifySignature(Algorithm algorithm,
                     const PKey &key,
                     QByteArrayView data,
                     QByteArrayView signature);

Result<QByteArray> signWithKey(Algorithm algorithm, const PKey &key, QByteArrayView data);

} // namespace DNotifier::Tokens::Internal
