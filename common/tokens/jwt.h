#pragma once

// JSON Web Tokens in JWS compact form (RFC 7519, RFC 7515): verification of the connection
// and subscription tokens clients present, and signing for tools and tests. The caller
// passes the current time, so a result depends on nothing but the arguments. Pure
// functions, safe from any thread.

#include "algorithm.h"
#include "jwterror.h"
#include "keyset.h"
#include "signingkey.h"

#include <common/result.h>

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace DNotifier::Tokens {

// Longer tokens are refused before any decoding; real ones stay well under 2 KiB.
constexpr qsizetype MaxTokenSize = 8 * 1024;

struct VerifyOptions
{
    // Clock skew tolerated on exp, nbf and iat, in seconds.
    qint64 leeway = 30;
    // Checked only when not empty: `aud` (a string or an array of strings) must contain it.
    QString audience;
    // Checked only when not empty: `iss` must equal it.
    QString issuer;
};

struct Claims
{
    Algorithm algorithm = Algorithm::HS256;
    std::optional<QString> keyId;
    QString subject; // `sub`; empty when absent, which Centrifugo reads as anonymous
    QString issuer;
    QStringList audience;
    // Seconds since the epoch; fractions are rounded toward the stricter side.
    std::optional<qint64> expiresAt;
    std::optional<qint64> notBefore;
    std::optional<qint64> issuedAt;
    QJsonObject payload; // every claim, for the protocol-specific ones (info, channel, ...)
};

// Checks the signature against `keys`, then the registered claims at `now` (seconds since
// the epoch): exp (expired when now > exp + leeway), nbf (too early when now + leeway < nbf),
// iat (refused when more than the leeway in the future), then aud and iss as configured.
// When present, exp, nbf and iat must be numbers, iss and sub strings, aud a string or an
// array of strings. The error code is a JwtError.
Result<Claims> verify(QByteArrayView token,
                      const KeySet &keys,
                      qint64 now,
                      const VerifyOptions &options = {});

// The compact JWS of `claims` under the header {"alg":..,"kid":..,"typ":"JWT"}, kid only
// when given. Fails when the key cannot serve the algorithm or the token would exceed
// MaxTokenSize.
Result<QByteArray> sign(const QJsonObject &claims,
                        Algorithm algorithm,
                        const SigningKey &key,
                        const QString &keyId = {});

} // namespace DNotifier::Tokens
