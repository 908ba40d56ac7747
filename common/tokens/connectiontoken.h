#pragma once

// Connection tokens for token-authenticated clients (Centrifuge protocol): the claims a node
// expects, signed HS256 with an app secret. Shared by the node's `token` command and, later,
// the console's token form. Pure functions, safe from any thread.

#include <common/result.h>

#include <QByteArray>
#include <QJsonValue>
#include <QStringList>

namespace DNotifier::Tokens {

struct ConnectionTokenRequest
{
    // `sub`: the user id; empty for an anonymous connection.
    QString subject;
    // `channels`: subscriptions the server makes for the connection.
    QStringList channels;
    // `channel`: set, the token is a subscription token for this channel.
    QString channel;
    // `info`: public data about the connection shown to other clients; left out when undefined.
    QJsonValue info = QJsonValue::Undefined;
    qint64 ttlSeconds = 3600;
    qint64 issuedAt = 0;
};

Result<QByteArray> issueConnectionToken(const ConnectionTokenRequest &request,
                                        const QByteArray &secret);

// "90" or "90s", "15m", "1h", "7d" as seconds; positive, at most 366 days.
Result<qint64> parseDuration(QStringView text);

} // namespace DNotifier::Tokens
