#pragma once

// The strings Pusher signs with an app secret (HMAC-SHA256, lower-case hex) and the checks
// of signatures received from clients. Pure functions, safe from any thread; shared by the
// node (verification) and the console (issuing test credentials).

#include <QByteArray>
#include <QList>
#include <QPair>

namespace DNotifier::Pusher {

// `socket_id:channel`, or `socket_id:channel:channel_data` for presence.
QByteArray channelAuthPayload(const QByteArray &socketId,
                              const QByteArray &channel,
                              const QByteArray &channelData = {});

// `socket_id::user::user_data` for pusher:signin.
QByteArray userAuthPayload(const QByteArray &socketId, const QByteArray &userData);

// `METHOD\nPATH\nk=v&k=v` over already percent-decoded query pairs: auth_signature dropped,
// keys lower-cased, sorted by key in byte order, values not escaped again.
QByteArray apiStringToSign(const QByteArray &method,
                           const QByteArray &path,
                           QList<QPair<QByteArray, QByteArray>> query);

QByteArray sign(const QByteArray &secret, const QByteArray &payload);

// `key:hex` as sent by clients, checked against the app key and the expected payload.
bool verifyAuthToken(const QByteArray &token,
                     const QByteArray &appKey,
                     const QByteArray &secret,
                     const QByteArray &payload);

} // namespace DNotifier::Pusher
