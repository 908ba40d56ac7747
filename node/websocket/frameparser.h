#pragma once

// Reads what a WebSocket client sends (RFC 6455, section 5) from a byte stream in pieces of
// any size: masked frames, fragmented text and binary messages with control frames between
// their fragments, and the close frame. Pure: no sockets, so the unit tests and the fuzzer
// drive it directly. It refuses an oversize message from the frame header alone, before its
// payload arrives, and checks UTF-8 across fragments as they come.

#include "utf8validator.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace DNotifier::WebSocket {

namespace CloseCode {
constexpr quint16 Normal = 1000;
constexpr quint16 ProtocolError = 1002;
constexpr quint16 UnsupportedData = 1003;
// Sent by nobody: what a close frame without a payload reports (RFC 6455, section 7.1.5).
constexpr quint16 NoStatus = 1005;
constexpr quint16 InvalidPayload = 1007;
constexpr quint16 TooBig = 1009;
} // namespace CloseCode

struct Message
{
    enum class Kind {
        Text,
        Binary,
        Ping,
        Pong,
        Close,
    };

    Kind kind = Kind::Text;
    QByteArray payload;
    // Close only: the client's code (NoStatus when it sent none) and its reason as UTF-8.
    quint16 closeCode = CloseCode::NoStatus;
};

// Why the client's input broke the protocol: the code and reason of the close frame to send.
struct Violation
{
    quint16 code = CloseCode::ProtocolError;
    QString reason;
};

class FrameParser final
{
public:
    explicit FrameParser(qint64 maxMessageBytes);

    void setMaxMessageBytes(qint64 bytes) { m_maxMessageBytes = bytes; }

    // Parses `data` after what came before and appends every message and control frame it
    // completes. After a violation it reads nothing more; violation() says what was wrong.
    void feed(QByteArrayView data, QList<Message> &out);

    const std::optional<Violation> &violation() const { return m_violation; }

private:
    // Parses one frame from the front of `data`: the bytes it used, 0 when the frame is not
    // complete yet (or a violation stopped it).
    qsizetype parseFrame(QByteArrayView data, QList<Message> &out);
    void fail(quint16 code, const QString &reason);
    void takeDataFrame(quint8 opcode, bool fin, QByteArray payload, QList<Message> &out);
    void takeCloseFrame(const QByteArray &payload, QList<Message> &out);

    qint64 m_maxMessageBytes;
    // Bytes of a frame that has not arrived whole.
    QByteArray m_partial;
    // The fragments of an unfinished message, and its opcode (text or binary).
    QByteArray m_message;
    std::optional<quint8> m_messageOpcode;
    Utf8Validator m_utf8;
    std::optional<Violation> m_violation;
};

} // namespace DNotifier::WebSocket
