#include "utf8validator.h"

namespace DNotifier::WebSocket {

bool Utf8Validator::feed(QByteArrayView bytes)
{
    for (const char signedByte : bytes) {
        const auto byte = static_cast<unsigned char>(signedByte);
        if (m_continuations > 0) {
            if (byte < m_low || byte > m_high) {
                return false;
            }
            --m_continuations;
            m_low = 0x80;
            m_high = 0xbf;
            continue;
        }
        if (byte < 0x80) {
            continue;
        }
        // The second byte's range after each lead byte (RFC 3629, section 4): E0 and F0 would
        // otherwise allow overlong forms, ED surrogates, F4 code points past U+10FFFF.
        if (byte >= 0xc2 && byte <= 0xdf) {
            m_continuations = 1;
        } else if (byte == 0xe0) {
            m_continuations = 2;
            m_low = 0xa0;
        } else if ((byte >= 0xe1 && byte <= 0xec) || byte == 0xee || byte == 0xef) {
            m_continuations = 2;
        } else if (byte == 0xed) {
            m_continuations = 2;
            m_high = 0x9f;
        } else if (byte == 0xf0) {
            m_continuations = 3;
            m_low = 0x90;
        } else if (byte >= 0xf1 && byte <= 0xf3) {
            m_continuations = 3;
        } else if (byte == 0xf4) {
            m_continuations = 3;
            m_high = 0x8f;
        } else {
            return false;
        }
    }
    return true;
}

void Utf8Validator::reset()
{
    m_continuations = 0;
    m_low = 0x80;
    m_high = 0xbf;
}

} // namespace DNotifier::WebSocket
