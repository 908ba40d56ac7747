#include "signatures.h"

#include <common/crypto/digest.h>

#include <algorithm>

namespace DNotifier::Pusher {

QByteArray channelAuthPayload(const QByteArray &socketId,
                              const QByteArray &channel,
                              const QByteArray &channelData)
{
    QByteArray payload = socketId + ':' + channel;
    if (!channelData.isEmpty()) {
        payload += ':' + channelData;
    }
    return payload;
}

QByteArray userAuthPayload(const QByteArray &socketId, const QByteArray &userData)
{
    return socketId + "::user::" + userData;
}

QByteArray apiStringToSign(const QByteArray &method,
                           const QByteArray &path,
                           QList<QPair<QByteArray, QByteArray>> query)
{
    for (auto &pair : query) {
        pair.first = pair.first.toLower();
    }
    query.removeIf([](const auto &pair) { return pair.first == "auth_signature"; });
    std::stable_sort(query.begin(), query.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });

    QByteArray joined;
    for (const auto &pair : std::as_const(query)) {
        if (!joined.isEmpty()) {
            joined += '&';
        }
        joined += pair.first + '=' + pair.second;
    }
    return method + '\n' + path + '\n' + joined;
}

QByteArray sign(const QByteArray &secret, const QByteArray &payload)
{
    return Crypto::hmacSha256Hex(secret, payload);
}

bool verifyAuthToken(const QByteArray &token,
                     const QByteArray &appKey,
                     const QByteArray &secret,
                     const QByteArray &payload)
{
    const qsizetype colon = token.indexOf(':');
    if (colon < 0 || token.left(colon) != appKey) {
        return false;
    }
    const QByteArray received = token.mid(colon + 1).toLower();
    return Crypto::constantTimeEquals(received, sign(secret, payload));
}

} // namespace DNotifier::Pusher
