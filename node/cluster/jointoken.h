#pragma once

// Join tokens: what a new node needs to join a cluster, in one string an operator can paste.
// "dnj1." + base64url (no padding) of compact JSON {"c": cluster id, "s": base64url(secret),
// "a": ["host:port", ...], "e": expiry in unix seconds, "m": base64url(joinMac(secret, e))}.
// The token carries the cluster secret itself, so it is as sensitive as the secret; the expiry
// only limits how long peers accept the join credential (mac + expiry) it carries.
// Pure functions, safe from any thread.

#include <common/result.h>

#include <QByteArray>
#include <QLatin1StringView>
#include <QList>
#include <QString>

namespace DNotifier::Cluster {

inline constexpr QLatin1StringView JoinTokenPrefix("dnj1.");

struct JoinToken
{
    QByteArray secret;
    // Never empty in a decoded token; each is "host:port" ("[v6-address]:port" for IPv6).
    QList<QString> seeds;
    // Unix seconds.
    qint64 expiresAt = 0;
    QString clusterId;
    QByteArray mac;
};

QString encodeJoinToken(const QByteArray &secret, const QList<QString> &seeds, qint64 expiresAt);

// HMAC-SHA256 keyed with the secret over "dnotifier join\n" + expiresAt in decimal.
QByteArray joinMac(const QByteArray &secret, qint64 expiresAt);

// Checks the token's shape, that its cluster id belongs to its secret and that its mac
// belongs to its secret and expiry: a token damaged in copying is refused here. Expiry is
// not checked; joinCredentialValid() does that where the current time matters.
Result<JoinToken> decodeJoinToken(const QString &text);

// True when `mac` is joinMac(secret, expiresAt), compared in constant time, and the
// credential has not expired: it is valid up to, not including, the second `expiresAt`.
bool joinCredentialValid(const QByteArray &secret,
                         qint64 expiresAt,
                         const QByteArray &mac,
                         qint64 nowSeconds);

// "host:port" with a non-empty host (IPv6 in brackets) and a port from 1 to 65535; the error
// names `address` and what is expected.
Result<void> checkSeedAddress(const QString &address);

} // namespace DNotifier::Cluster
