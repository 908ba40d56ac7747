#include "jwt.h"

#include "base64url.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <algorithm>
#include <cmath>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Tokens {

namespace {

// NumericDates beyond this (about 31 million years) are clamped, so that converting them to
// an integer and adding the leeway cannot overflow.
constexpr double NumericDateLimit = 1e15;

struct DecodedToken
{
    QJsonObject header;
    QJsonObject payload;
    QByteArray signature;
    QByteArrayView signingInput; // header.payload exactly as received: what was signed
};

struct Header
{
    Algorithm algorithm;
    std::optional<QString> keyId;
};

enum class Rounding {
    Down,
    Up,
};

Error malformed(const QString &message)
{
    return jwtError(JwtError::Malformed, message);
}

Error invalidClaim(QLatin1StringView name, const QString &expectation)
{
    return jwtError(JwtError::InvalidClaim, u"the %1 claim must be %2"_s.arg(name, expectation));
}

Result<QJsonObject> decodeJsonPart(QByteArrayView part, const QString &name)
{
    const std::optional<QByteArray> json = base64UrlDecode(part);
    if (!json) {
        return malformed(u"the token %1 is not unpadded base64url"_s.arg(name));
    }
    const QJsonDocument document = QJsonDocument::fromJson(*json);
    if (!document.isObject()) {
        return malformed(u"the token %1 is not a JSON object"_s.arg(name));
    }
    return document.object();
}

Result<DecodedToken> decode(QByteArrayView token)
{
    // Checked first so that no work at all is spent on an oversized input.
    if (token.size() > MaxTokenSize) {
        return jwtError(JwtError::TooLarge, u"the token is longer than 8 KiB"_s);
    }
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
        return malformed(u"a token has exactly three parts separated by dots"_s);
    }

    Result<QJsonObject> header = decodeJsonPart(token.first(firstDot), u"header"_s);
    if (!header) {
        return header.error();
    }
    Result<QJsonObject> payload =
            decodeJsonPart(token.sliced(firstDot + 1, secondDot - firstDot - 1), u"payload"_s);
    if (!payload) {
        return payload.error();
    }
    std::optional<QByteArray> signature = base64UrlDecode(token.sliced(secondDot + 1));
    if (!signature) {
        return malformed(u"the token signature is not unpadded base64url"_s);
    }
    return DecodedToken{std::move(*header), std::move(*payload), std::move(*signature),
                        token.first(secondDot)};
}

Result<Header> readHeader(const QJsonObject &header)
{
    const QJsonValue alg = header.value("alg"_L1);
    if (!alg.isString()) {
        return malformed(u"the token header has no alg string"_s);
    }
    // RFC 7515 names are case-sensitive, but some libraries once honoured "None" and "NONE";
    // refusing every spelling outright gives those attempts a precise error.
    if (alg.toString().compare("none"_L1, Qt::CaseInsensitive) == 0) {
        return jwtError(JwtError::AlgorithmNone,
                        u"unsigned tokens (alg none) are never accepted"_s);
    }
    const std::optional<Algorithm> algorithm = algorithmFromName(alg.toString());
    if (!algorithm) {
        return jwtError(
                JwtError::UnsupportedAlgorithm,
                u"the token algorithm is not supported; HS256, HS384, HS512, RS256 and ES256 are"_s);
    }

    const QJsonValue kid = header.value("kid"_L1);
    if (!kid.isUndefined() && !kid.isString()) {
        return malformed(u"the token header kid is not a string"_s);
    }
    // RFC 7515 section 4.1.11: a recipient must refuse extensions it does not understand,
    // and we understand none.
    if (header.contains("crit"_L1)) {
        return malformed(
                u"the token header lists critical extensions (crit); none are supported"_s);
    }
    return Header{*algorithm,
                  kid.isString() ? std::optional<QString>(kid.toString()) : std::nullopt};
}

Result<std::optional<qint64>> numericDate(const QJsonObject &payload,
                                          QLatin1StringView name,
                                          Rounding rounding)
{
    const QJsonValue value = payload.value(name);
    if (value.isUndefined()) {
        return std::optional<qint64>();
    }
    if (!value.isDouble()) {
        return invalidClaim(name, u"a number of seconds since the epoch"_s);
    }
    const double seconds = std::clamp(value.toDouble(), -NumericDateLimit, NumericDateLimit);
    const double whole = rounding == Rounding::Down ? std::floor(seconds) : std::ceil(seconds);
    return std::optional<qint64>(qint64(whole));
}

Result<QStringList> audienceOf(const QJsonValue &aud)
{
    if (aud.isUndefined()) {
        return QStringList();
    }
    if (aud.isString()) {
        return QStringList{aud.toString()};
    }
    if (!aud.isArray()) {
        return invalidClaim("aud"_L1, u"a string or an array of strings"_s);
    }
    QStringList audience;
    for (const QJsonValue &entry : aud.toArray()) {
        if (!entry.isString()) {
            return invalidClaim("aud"_L1, u"a string or an array of strings"_s);
        }
        audience += entry.toString();
    }
    return audience;
}

Result<QString> optionalString(const QJsonObject &payload, QLatin1StringView name)
{
    const QJsonValue value = payload.value(name);
    if (!value.isUndefined() && !value.isString()) {
        return invalidClaim(name, u"a string"_s);
    }
    return value.toString();
}

// exp may fall on a fraction of a second: the token is valid up to it, hence rounding down;
// nbf and iat round up, so every rounding makes the check stricter, never looser.
Result<void> readTimes(const QJsonObject &payload, Claims &claims)
{
    const auto exp = numericDate(payload, "exp"_L1, Rounding::Down);
    if (!exp) {
        return exp.error();
    }
    const auto nbf = numericDate(payload, "nbf"_L1, Rounding::Up);
    if (!nbf) {
        return nbf.error();
    }
    const auto iat = numericDate(payload, "iat"_L1, Rounding::Up);
    if (!iat) {
        return iat.error();
    }
    claims.expiresAt = *exp;
    claims.notBefore = *nbf;
    claims.issuedAt = *iat;
    return {};
}

Result<void> readParties(const QJsonObject &payload, Claims &claims)
{
    const Result<QStringList> audience = audienceOf(payload.value("aud"_L1));
    if (!audience) {
        return audience.error();
    }
    const Result<QString> issuer = optionalString(payload, "iss"_L1);
    if (!issuer) {
        return issuer.error();
    }
    const Result<QString> subject = optionalString(payload, "sub"_L1);
    if (!subject) {
        return subject.error();
    }
    claims.audience = *audience;
    claims.issuer = *issuer;
    claims.subject = *subject;
    return {};
}

Result<Claims> readClaims(const Header &header, const QJsonObject &payload)
{
    Claims claims;
    claims.algorithm = header.algorithm;
    claims.keyId = header.keyId;
    claims.payload = payload;
    if (const Result<void> times = readTimes(payload, claims); !times) {
        return times.error();
    }
    if (const Result<void> parties = readParties(payload, claims); !parties) {
        return parties.error();
    }
    return claims;
}

Result<void> checkTimes(const Claims &claims, qint64 now, qint64 leeway)
{
    if (claims.expiresAt && now > *claims.expiresAt + leeway) {
        return jwtError(JwtError::Expired, u"the token has expired (exp)"_s);
    }
    if (claims.notBefore && now + leeway < *claims.notBefore) {
        return jwtError(JwtError::NotYetValid, u"the token is not valid yet (nbf)"_s);
    }
    if (claims.issuedAt && *claims.issuedAt > now + leeway) {
        return jwtError(JwtError::IssuedInFuture, u"the token was issued in the future (iat)"_s);
    }
    return {};
}

Result<void> checkParties(const Claims &claims, const VerifyOptions &options)
{
    if (!options.audience.isEmpty() && !claims.audience.contains(options.audience)) {
        return jwtError(JwtError::WrongAudience,
                        u"the token is not meant for this audience (aud)"_s);
    }
    if (!options.issuer.isEmpty() && claims.issuer != options.issuer) {
        return jwtError(JwtError::WrongIssuer,
                        u"the token comes from an unexpected issuer (iss)"_s);
    }
    return {};
}

} // namespace

Result<Claims> verify(QByteArrayView token,
                      const KeySet &keys,
                      qint64 now,
                      const VerifyOptions &options)
{
    const Result<DecodedToken> decoded = decode(token);
    if (!decoded) {
        return decoded.error();
    }
    const Result<Header> header = readHeader(decoded->header);
    if (!header) {
        return header.error();
    }

    // Nothing in the payload is trusted, or even looked at, before the signature holds.
    const Result<void> signature = keys.verify(header->algorithm, header->keyId,
                                               decoded->signingInput, decoded->signature);
    if (!signature) {
        return signature.error();
    }

    Result<Claims> claims = readClaims(*header, decoded->payload);
    if (!claims) {
        return claims;
    }
    const qint64 leeway = std::max<qint64>(options.leeway, 0);
    if (const Result<void> times = checkTimes(*claims, now, leeway); !times) {
        return times.error();
    }
    if (const Result<void> parties = checkParties(*claims, options); !parties) {
        return parties.error();
    }
    return claims;
}

Result<QByteArray> sign(const QJsonObject &claims,
                        Algorithm algorithm,
                        const SigningKey &key,
                        const QString &keyId)
{
    QJsonObject header{{"alg"_L1, algorithmName(algorithm)}, {"typ"_L1, "JWT"_L1}};
    if (!keyId.isEmpty()) {
        header.insert("kid"_L1, keyId);
    }
    const QByteArray signingInput =
            base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
            + base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));

    const Result<QByteArray> signature = key.sign(algorithm, signingInput);
    if (!signature) {
        return signature.error();
    }
    QByteArray token = signingInput + '.' + base64UrlEncode(*signature);
    if (token.size() > MaxTokenSize) {
        return jwtError(JwtError::TooLarge, u"the signed token would be longer than 8 KiB"_s);
    }
    return token;
}

} // namespace DNotifier::Tokens
