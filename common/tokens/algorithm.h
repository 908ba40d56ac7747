#pragma once

// The JWS algorithms (RFC 7518) the node signs and verifies, and their registered names.

#include <QString>

#include <optional>

namespace DNotifier::Tokens {

enum class Algorithm {
    HS256,
    HS384,
    HS512,
    RS256,
    ES256,
};

// The kind of key an algorithm needs. Verification never lets a key serve an algorithm of
// another kind; that rule is what defeats the HS256-with-a-public-key confusion attack.
enum class KeyType {
    Secret,
    Rsa,
    EcP256,
};

QString algorithmName(Algorithm algorithm);

// Names are case-sensitive, as RFC 7515 requires: "hs256" is not HS256.
std::optional<Algorithm> algorithmFromName(QStringView name);

KeyType keyTypeFor(Algorithm algorithm);

} // namespace DNotifier::Tokens
