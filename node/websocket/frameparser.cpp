#include "frameparser.h"

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::WebSocket {

namespace {

constexpr quint8 Continuation = 0x0;
constexpr quint8 Text = 0x1;
constexpr quint8 Binary = 0x2;
constexpr quint8 Close = 0x8;
constexpr quint8 Ping = 0x9;
constexpr quint8 Pong = 0xa;
constexpr qsizetype MaxControlPayload = 125;

bool isKnownOpcode(quint8 opcode)
{
    return opcode == Continuation || opcode == Text || opcode == Binary || opcode == Close
           || opcode == Ping || opcode == Pong;
}

// Codes a client may put in a close frame (RFC 6455, section 7.4, and the IANA registry):
// 1005, 1006 and 1015 only ever describe a closure, they are never sent.
bool isSendableCloseCode(quint16 code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
           || (code >= 3000 && code <= 4999);
}

quint64 bigEndian(QByteArrayView bytes)
{
    quint64 value = 0;
    for (const char byte : bytes) {
        value = (value << 8) | static_cast<unsigned char>(byte);
    }
    return value;
}

} // namespace

FrameParser::FrameParser(qint64 maxMessageBytes)
    : m_maxMessageBytes(maxMessageBytes)
{ }

void FrameParser::feed(QByteArrayView data, QList<Message> &out)
{
    if (m_violation) {
        return;
    }
    // Whole frames are parsed where they lie; only a frame cut off at the end is copied.
    if (!m_partial.isEmpty()) {
        m_partial.append(data);
        const QByteArray joined = std::exchange(m_partial, {});
        feed(QByteArrayView(joined), out);
        return;
    }
    while (!data.isEmpty() && !m_violation) {
        const qsizetype used = parseFrame(data, out);
        if (used == 0) {
            if (!m_violation) {
                m_partial = data.toByteArray();
            }
            return;
        }
        data = data.sliced(used);
    }
}

qsizetype FrameParser::parseFrame(QByteArrayView data, QList<Message> &out)
{
    if (data.size() < 2) {
        return 0;
    }
    const auto first = static_cast<quint8>(data[0]);
    const auto second = static_cast<quint8>(data[1]);
    const bool fin = first & 0x80;
    const quint8 opcode = first & 0x0f;
    if (first & 0x70) {
        fail(CloseCode::ProtocolError, u"Reserved bits set without a negotiated extension"_s);
        return 0;
    }
    if (!isKnownOpcode(opcode)) {
        fail(CloseCode::ProtocolError, u"Unknown opcode %1"_s.arg(opcode));
        return 0;
    }
    if (!(second & 0x80)) {
        fail(CloseCode::ProtocolError, u"Client frames must be masked"_s);
        return 0;
    }
    const bool control = opcode >= Close;
    quint64 length = second & 0x7f;
    qsizetype header = 2;
    if (length == 126 || length == 127) {
        const qsizetype extended = length == 126 ? 2 : 8;
        if (data.size() < header + extended) {
            return 0;
        }
        length = bigEndian(data.sliced(header, extended));
        header += extended;
        const bool minimal = extended == 2 ? length >= 126 : length > 0xffff;
        if (!minimal || (length >> 63) != 0) {
            fail(CloseCode::ProtocolError, u"Frame length not in its shortest form"_s);
            return 0;
        }
    }
    if (control && (!fin || length > MaxControlPayload)) {
        fail(CloseCode::ProtocolError,
             u"Control frames must be single frames of at most 125 bytes"_s);
        return 0;
    }
    if (!control) {
        if (opcode == Continuation && !m_messageOpcode) {
            fail(CloseCode::ProtocolError, u"Continuation frame without a message to continue"_s);
            return 0;
        }
        if (opcode != Continuation && m_messageOpcode) {
            fail(CloseCode::ProtocolError, u"New message before the last one was finished"_s);
            return 0;
        }
        // Refused from the header: a client announcing a huge frame is not waited for.
        if (quint64(m_message.size()) + length > quint64(m_maxMessageBytes)) {
            fail(CloseCode::TooBig, u"Message larger than %1 bytes"_s.arg(m_maxMessageBytes));
            return 0;
        }
    }
    const qsizetype total = header + 4 + qsizetype(length);
    if (data.size() < total) {
        return 0;
    }
    const QByteArrayView mask = data.sliced(header, 4);
    QByteArray payload = data.sliced(header + 4, qsizetype(length)).toByteArray();
    char *bytes = payload.data();
    for (qsizetype i = 0; i < payload.size(); ++i) {
        bytes[i] = char(bytes[i] ^ mask[i & 3]);
    }
    switch (opcode) {
    case Ping:
        out.append({Message::Kind::Ping, payload});
        break;
    case Pong:
        out.append({Message::Kind::Pong, payload});
        break;
    case Close:
        takeCloseFrame(payload, out);
        break;
    default:
        takeDataFrame(opcode, fin, std::move(payload), out);
        break;
    }
    return m_violation ? 0 : total;
}

void FrameParser::takeDataFrame(quint8 opcode, bool fin, QByteArray payload, QList<Message> &out)
{
    const quint8 messageOpcode = opcode == Continuation ? *m_messageOpcode : opcode;
    if (messageOpcode == Text && !m_utf8.feed(payload)) {
        fail(CloseCode::InvalidPayload, u"Invalid UTF-8 in a text message"_s);
        return;
    }
    if (!fin) {
        m_messageOpcode = messageOpcode;
        m_message.append(payload);
        return;
    }
    if (messageOpcode == Text && !m_utf8.atBoundary()) {
        fail(CloseCode::InvalidPayload, u"Text message ends inside a UTF-8 character"_s);
        return;
    }
    QByteArray whole = m_messageOpcode ? std::exchange(m_message, {}) + payload : payload;
    m_messageOpcode.reset();
    m_utf8.reset();
    out.append({messageOpcode == Text ? Message::Kind::Text : Message::Kind::Binary,
                std::move(whole)});
}

void FrameParser::takeCloseFrame(const QByteArray &payload, QList<Message> &out)
{
    if (payload.isEmpty()) {
        out.append({Message::Kind::Close, {}, CloseCode::NoStatus});
        return;
    }
    if (payload.size() == 1) {
        fail(CloseCode::ProtocolError, u"Close frame with a one-byte payload"_s);
        return;
    }
    const auto code = quint16(bigEndian(QByteArrayView(payload).first(2)));
    if (!isSendableCloseCode(code)) {
        fail(CloseCode::ProtocolError, u"Close code %1 may not be sent"_s.arg(code));
        return;
    }
    const QByteArray reason = payload.sliced(2);
    Utf8Validator check;
    if (!check.feed(reason) || !check.atBoundary()) {
        fail(CloseCode::InvalidPayload, u"Invalid UTF-8 in the close reason"_s);
        return;
    }
    out.append({Message::Kind::Close, reason, code});
}

void FrameParser::fail(quint16 code, const QString &reason)
{
    m_violation = Violation{code, reason};
}

} // namespace DNotifier::WebSocket
