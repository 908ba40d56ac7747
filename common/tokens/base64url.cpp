#include "base64url.h"

namespace DNotifier::Tokens {

namespace {

constexpr char Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The 6-bit value of one base64url character, or -1 for anything else (padding included).
int sextetOf(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    if (c == '_') {
        return 63;
    }
    return -1;
}

} // namespace

QByteArray base64UrlEncode(QByteArrayView data)
{
    QByteArray out;
    out.reserve((data.size() * 4 + 2) / 3);
    quint32 buffer = 0;
    int bits = 0;
    for (const char byte : data) {
        buffer = (buffer << 8) | quint8(byte);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += Alphabet[(buffer >> bits) & 0x3f];
        }
    }
    if (bits > 0) {
        out += Alphabet[(buffer << (6 - bits)) & 0x3f];
    }
    return out;
}

std::optional<QByteArray> base64UrlDecode(QByteArrayView text)
{
    // A single character left over carries 6 bits, less than a byte: no encoder emits it.
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }

    QByteArray out;
    out.reserve(text.size() * 3 / 4);
    quint32 buffer = 0;
    int bits = 0;
    for (const char c : text) {
        const int sextet = sextetOf(c);
        if (sextet < 0) {
            return std::nullopt;
        }
        buffer = (buffer << 6) | quint32(sextet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((buffer >> bits) & 0xff);
        }
    }

    // The bits below the last whole byte must be zero; otherwise several texts would decode to
    // the same bytes and a token could be re-spelled without touching its signature.
    if ((buffer & ((1u << bits) - 1)) != 0) {
        return std::nullopt;
    }
    return out;
}

} // namespace DNotifier::Tokens
