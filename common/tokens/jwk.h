#pragma once

// Internal to common/tokens: turns the public members of one JSON Web Key (RFC 7517/7518)
// into an OpenSSL key. Which keys of a JWKS to import is KeySet's decision. Safe from any
// thread.

#include "pkey.h"

#include <QJsonObject>

namespace DNotifier::Tokens::Internal {

// n and e for KeyType::Rsa; x and y on P-256 for KeyType::EcP256. The key is checked by
// OpenSSL (the EC point lies on the curve) and by keyTypeOf() (RSA size).
Result<PKey> publicKeyFromJwk(const QJsonObject &jwk, KeyType type);

} // namespace DNotifier::Tokens::Internal
