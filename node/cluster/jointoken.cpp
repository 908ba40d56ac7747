#include "jointoken.h"

#include "clusteridentity.h"

#include <common/crypto/digest.h>
#include <common/tokens/base64url.h>

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <optional>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Cluster {

namespace {

constexpr int MaxPort = 65535;

Error fieldError(QLatin1StringView key, QLatin1StringView meaning, const QString &problem)
{
    return Error{0, u"the join token's \"%1\" (%2) %3"_s.arg(key, meaning, problem)};
}

bool isHostNameCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
           || c == u'.' || c == u'-' || c == u'_';
}

bool isValidHost(QStringView host)
{
    if (host.startsWith(u'[')) {
        if (host.size() < 3 || !host.endsWith(u']')) {
            return false;
        }
        const QHostAddress address(host.sliced(1, host.size() - 2).toString());
        return address.protocol() == QAbstractSocket::IPv6Protocol;
    }
    return !host.isEmpty() && std::all_of(host.begin(), host.end(), isHostNameCharacter);
}

bool isValidPort(QStringView port)
{
    const bool digitsOnly = !port.isEmpty() && port.size() <= 5
                            && std::all_of(port.begin(), port.end(),
                                           [](QChar c) { return c >= u'0' && c <= u'9'; });
    if (!digitsOnly) {
        return false;
    }
    const int value = port.toInt();
    return value >= 1 && value <= MaxPort;
}

Result<QByteArray> readBase64Field(const QJsonObject &object,
                                   QLatin1StringView key,
                                   QLatin1StringView meaning)
{
    const QJsonValue value = object.value(key);
    if (!value.isString()) {
        return fieldError(key, meaning, u"is missing or not a string"_s);
    }
    const std::optional<QByteArray> decoded = Tokens::base64UrlDecode(value.toString().toLatin1());
    if (!decoded) {
        return fieldError(key, meaning, u"is not base64url"_s);
    }
    if (decoded->isEmpty()) {
        return fieldError(key, meaning, u"is empty"_s);
    }
    return *decoded;
}

Result<QList<QString>> readSeeds(const QJsonObject &object)
{
    const QLatin1StringView key("a");
    const QLatin1StringView meaning("seeds");
    const QJsonValue value = object.value(key);
    if (!value.isArray()) {
        return fieldError(key, meaning, u"is missing or not an array"_s);
    }
    const QJsonArray array = value.toArray();
    if (array.isEmpty()) {
        return fieldError(key, meaning, u"lists no seed"_s);
    }
    QList<QString> seeds;
    for (const QJsonValue &entry : array) {
        if (!entry.isString()) {
            return fieldError(key, meaning, u"has an entry that is not a string"_s);
        }
        if (const Result<void> checked = checkSeedAddress(entry.toString()); !checked) {
            return fieldError(key, meaning, u"has a bad entry: "_s + checked.error().message);
        }
        seeds.append(entry.toString());
    }
    return seeds;
}

Result<qint64> readExpiry(const QJsonObject &object)
{
    // toInteger() falls back to the default for fractions and for numbers beyond qint64.
    const qint64 expiresAt = object.value("e"_L1).toInteger(-1);
    if (expiresAt <= 0) {
        return fieldError("e"_L1, "expiry"_L1,
                          u"is missing or not a positive whole number of unix seconds"_s);
    }
    return expiresAt;
}

Result<QJsonObject> readPayload(const QString &text)
{
    if (!text.startsWith(JoinTokenPrefix)) {
        return Error{0,
                     u"the join token does not start with \"%1\"; paste the whole token printed by "
                     "dnotifier-node join-token"_s.arg(JoinTokenPrefix)};
    }
    const QString encoded = text.sliced(JoinTokenPrefix.size());
    const std::optional<QByteArray> json = Tokens::base64UrlDecode(encoded.toLatin1());
    if (!json) {
        return Error{
                0,
                u"the join token is not base64url after \"%1\"; it may have been cut or changed in "
                "copying"_s.arg(JoinTokenPrefix)};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(*json, &parseError);
    if (!document.isObject()) {
        return Error{0, u"the join token's payload is not a JSON object (%1)"_s.arg(
                                parseError.errorString())};
    }
    return document.object();
}

// Fills the token from the payload's fields; unknown fields are ignored so that a later
// version may add some.
Result<JoinToken> readFields(const QJsonObject &object)
{
    JoinToken token;
    const QJsonValue clusterId = object.value("c"_L1);
    if (!clusterId.isString()) {
        return fieldError("c"_L1, "cluster fingerprint"_L1, u"is missing or not a string"_s);
    }
    token.clusterId = clusterId.toString();

    Result<QByteArray> secret = readBase64Field(object, "s"_L1, "secret"_L1);
    if (!secret) {
        return secret.error();
    }
    token.secret = std::move(secret).value();

    Result<QList<QString>> seeds = readSeeds(object);
    if (!seeds) {
        return seeds.error();
    }
    token.seeds = std::move(seeds).value();

    const Result<qint64> expiresAt = readExpiry(object);
    if (!expiresAt) {
        return expiresAt.error();
    }
    token.expiresAt = *expiresAt;

    Result<QByteArray> mac = readBase64Field(object, "m"_L1, "mac"_L1);
    if (!mac) {
        return mac.error();
    }
    token.mac = std::move(mac).value();
    return token;
}

} // namespace

QString encodeJoinToken(const QByteArray &secret, const QList<QString> &seeds, qint64 expiresAt)
{
    const QJsonObject object{
            {u"c"_s, clusterIdOf(secret)},
            {u"s"_s, QString::fromLatin1(Tokens::base64UrlEncode(secret))},
            {u"a"_s, QJsonArray::fromStringList(seeds)},
            {u"e"_s, expiresAt},
            {u"m"_s, QString::fromLatin1(Tokens::base64UrlEncode(joinMac(secret, expiresAt)))},
    };
    const QByteArray json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return JoinTokenPrefix + QString::fromLatin1(Tokens::base64UrlEncode(json));
}

QByteArray joinMac(const QByteArray &secret, qint64 expiresAt)
{
    return Crypto::hmacSha256(secret, "dnotifier join\n"_ba + QByteArray::number(expiresAt));
}

Result<JoinToken> decodeJoinToken(const QString &text)
{
    const Result<QJsonObject> payload = readPayload(text);
    if (!payload) {
        return payload.error();
    }
    Result<JoinToken> token = readFields(*payload);
    if (!token) {
        return token;
    }
    // Both fail only for a token changed after it was made: the secret is in the token, so
    // these checks catch damage, not forgery.
    if (token->clusterId != clusterIdOf(token->secret)) {
        return Error{0, u"the token's cluster fingerprint does not match its secret"_s};
    }
    if (!Crypto::constantTimeEquals(token->mac, joinMac(token->secret, token->expiresAt))) {
        return Error{0, u"the token's mac does not match its secret and expiry"_s};
    }
    return token;
}

bool joinCredentialValid(const QByteArray &secret,
                         qint64 expiresAt,
                         const QByteArray &mac,
                         qint64 nowSeconds)
{
    const bool macMatches = Crypto::constantTimeEquals(mac, joinMac(secret, expiresAt));
    return macMatches && expiresAt > nowSeconds;
}

Result<void> checkSeedAddress(const QString &address)
{
    const qsizetype colon = address.lastIndexOf(u':');
    const bool valid = colon > 0 && isValidHost(QStringView(address).first(colon))
                       && isValidPort(QStringView(address).sliced(colon + 1));
    if (!valid) {
        return Error{
                0,
                u"\"%1\" is not a seed address; expected host:port with a port from 1 to 65535 (an "
                "IPv6 address in brackets)"_s.arg(address)};
    }
    return {};
}

} // namespace DNotifier::Cluster
