#pragma once

// Checks UTF-8 (RFC 3629) a piece at a time, so that a character split between two fragments
// of one WebSocket message is still one valid character: overlong forms, surrogates and code
// points above U+10FFFF are refused, and a message may not end inside a character.

#include <QByteArrayView>

namespace DNotifier::WebSocket {

class Utf8Validator final
{
public:
    // False once the bytes seen so far cannot be the start of valid UTF-8.
    bool feed(QByteArrayView bytes);

    // True when the bytes seen so far end on a character boundary.
    bool atBoundary() const { return m_continuations == 0; }

    void reset();

private:
    // Continuation bytes still expected for the current character.
    int m_continuations = 0;
    // The range the next byte must fall in: narrower than 80..BF only right after a lead byte.
    unsigned char m_low = 0x80;
    unsigned char m_high = 0xbf;
};

} // namespace DNotifier::WebSocket
