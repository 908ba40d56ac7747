#pragma once

// Thin wrappers over OpenSSL for the digests, MACs and randomness the protocols need.
// Pure functions, safe from any thread.

#include <QByteArray>
#include <QString>

namespace DNotifier::Crypto {

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data);
QByteArray hmacSha256Hex(const QByteArray &key, const QByteArray &data);
QByteArray sha256(const QByteArray &data);
// Only where a protocol fixes it: the WebSocket handshake's accept key (RFC 6455 4.2.2).
QByteArray sha1(const QByteArray &data);
QByteArray md5Hex(const QByteArray &data);

// Compares in time that depends only on the lengths, so a signature check leaks nothing
// about how many leading bytes matched.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

// A certificate fingerprint as people compare them: the digest as upper-case hex pairs joined
// by colons ("5C:1F:...").
QString fingerprintText(const QByteArray &digest);

QByteArray randomBytes(int count);
quint32 randomUInt32();

} // namespace DNotifier::Crypto
