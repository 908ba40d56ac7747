#pragma once

// Base64url without padding (RFC 4648 section 5), as JWS compact serialisation uses it.
// Decoding is strict because every accepted spelling of a token part must be the one
// spelling its signature covers: padding, characters outside the url-safe alphabet,
// impossible lengths and non-zero spare bits in the last character are all refused.
// Pure functions, safe from any thread.

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace DNotifier::Tokens {

QByteArray base64UrlEncode(QByteArrayView data);

// std::nullopt when the text is not canonical unpadded base64url. The empty text decodes
// to an empty array.
std::optional<QByteArray> base64UrlDecode(QByteArrayView text);

} // namespace DNotifier::Tokens
