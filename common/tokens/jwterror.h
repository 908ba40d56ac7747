#pragma once

// The reasons a token or a key is refused. Every failure in common/tokens carries one of
// these in Error::code, so callers map them to protocol outcomes (Centrifugo: 109 for the
// time checks, 3500 or 103 for the rest) without parsing messages. The numbers are stable:
// they appear in logs.

#include <common/result.h>

namespace DNotifier::Tokens {

enum class JwtError {
    Malformed = 1,     // not three base64url parts of JSON objects, or a bad header field
    TooLarge = 2,      // longer than MaxTokenSize; refused before any parsing
    AlgorithmNone = 3, // `alg: none` in any letter case: never accepted
    UnsupportedAlgorithm = 4,
    AlgorithmNotAllowed = 5, // supported, but no configured key is of the type it needs
    UnknownKeyId = 6,
    BadSignature = 7,
    InvalidClaim = 8, // a registered claim of the wrong JSON type
    Expired = 9,
    NotYetValid = 10,
    IssuedInFuture = 11,
    WrongAudience = 12,
    WrongIssuer = 13,
    InvalidKey = 14, // a secret, PEM or JWKS that cannot be used
};

inline Error jwtError(JwtError code, const QString &message)
{
    return Error{int(code), message};
}

inline JwtError jwtErrorOf(const Error &error)
{
    return JwtError(error.code);
}

} // namespace DNotifier::Tokens
