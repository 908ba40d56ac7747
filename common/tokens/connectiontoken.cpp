#include "connectiontoken.h"

#include "jwt.h"
#include "signingkey.h"

#include <QJsonArray>
#include <QJsonObject>

namespace DNotifier::Tokens {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 MaxDurationSeconds = 366LL * 24 * 3600;

} // namespace

Result<QByteArray> issueConnectionToken(const ConnectionTokenRequest &request,
                                        const QByteArray &secret)
{
    if (request.ttlSeconds <= 0) {
        return Error{0, u"A token needs a positive lifetime"_s};
    }
    QJsonObject claims{{"sub"_L1, request.subject},
                       {"iat"_L1, request.issuedAt},
                       {"exp"_L1, request.issuedAt + request.ttlSeconds}};
    if (!request.channel.isEmpty()) {
        claims.insert("channel"_L1, request.channel);
    }
    if (!request.channels.isEmpty()) {
        claims.insert("channels"_L1, QJsonArray::fromStringList(request.channels));
    }
    if (!request.info.isUndefined()) {
        claims.insert("info"_L1, request.info);
    }
    const auto key = SigningKey::fromSecret(secret);
    if (!key) {
        return key.error();
    }
    return sign(claims, Algorithm::HS256, key.value());
}

Result<qint64> parseDuration(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        return Error{0, u"A duration must not be empty"_s};
    }
    qint64 unit = 1;
    QStringView digits = trimmed;
    switch (trimmed.back().unicode()) {
    case 's':
        digits.chop(1);
        break;
    case 'm':
        unit = 60;
        digits.chop(1);
        break;
    case 'h':
        unit = 3600;
        digits.chop(1);
        break;
    case 'd':
        unit = 24 * 3600;
        digits.chop(1);
        break;
    default:
        break;
    }
    bool ok = false;
    const qint64 count = digits.toLongLong(&ok);
    if (!ok || count <= 0 || count > MaxDurationSeconds / unit) {
        return Error{0, u"\"%1\" is not a duration; expected a positive number of seconds or a "
                        u"number with s, m, h or d, up to 366 days"_s.arg(trimmed)};
    }
    return count * unit;
}

} // namespace DNotifier::Tokens
