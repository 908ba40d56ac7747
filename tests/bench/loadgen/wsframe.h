#pragma once

// The load generator's own WebSocket client side (RFC 6455), as pure functions without I/O:
// the upgrade request and the check of the server's answer, the parser of server frames, the
// reassembly of fragmented messages and the encoder of masked client frames. The epoll loop in
// clientpool.cpp feeds them bytes; tst_wsframe.cpp tests them. No Qt, no exceptions.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace DNotifier::Bench {

enum class Opcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

bool isControl(Opcode opcode);

// --- Upgrade -------------------------------------------------------------------------------

// The value the server must answer in Sec-WebSocket-Accept: base64(SHA-1(key + RFC GUID)).
std::string webSocketAccept(std::string_view key);

// A fresh Sec-WebSocket-Key: base64 of 16 bytes taken from the caller's random source.
std::string webSocketKey(std::uint64_t randomHigh, std::uint64_t randomLow);

std::string upgradeRequest(std::string_view hostPort, std::string_view path, std::string_view key);

struct UpgradeCheck
{
    enum class Status {
        NeedMore,
        Accepted,
        Rejected,
    };
    Status status = Status::NeedMore;
    // With Accepted: bytes of the response head, including the blank line. Frames follow.
    std::size_t headLength = 0;
    int httpStatus = 0;
    // With Rejected: why, in a few words.
    std::string reason;
};

// Checks a server's answer to upgradeRequest(): status 101, Upgrade: websocket, Connection
// naming upgrade, the expected Sec-WebSocket-Accept and no extension or subprotocol that was not
// asked for. Header names and the listed tokens compare without regard to case.
UpgradeCheck checkUpgradeResponse(std::string_view data, std::string_view expectedAccept);

// --- Frames from the server ----------------------------------------------------------------

struct Frame
{
    bool fin = true;
    Opcode opcode = Opcode::Text;
    std::string_view payload;
};

struct FrameParse
{
    enum class Status {
        NeedMore,
        Complete,
        Invalid,
    };
    Status status = Status::NeedMore;
    Frame frame;
    // With Complete: bytes of the whole frame (header and payload).
    std::size_t consumed = 0;
    // With Invalid: the rule broken.
    std::string_view error;
};

// Parses one server frame at the start of data. The payload is a view into data. A server must
// not mask, set reserved bits (no extension is negotiated), use unknown opcodes, fragment or
// lengthen a control frame, or encode a length in more bytes than it needs.
FrameParse parseServerFrame(std::string_view data, std::uint64_t maxPayload);

// Joins fragmented data messages and passes control frames through, which may arrive between
// the fragments of a message.
class MessageAssembler
{
public:
    struct Message
    {
        enum class Status {
            Partial,
            Complete,
            Invalid,
        };
        Status status = Status::Partial;
        // Text or Binary for a data message; the control opcode for a control frame.
        Opcode opcode = Opcode::Text;
        // Valid until the next push(): a view into the frame, or into the assembler's buffer
        // when the message came in fragments.
        std::string_view payload;
        std::string_view error;
    };

    explicit MessageAssembler(std::size_t maxMessage = 16 * 1024 * 1024)
        : m_maxMessage(maxMessage)
    { }

    Message push(const Frame &frame);

    bool inMessage() const { return m_inMessage; }

private:
    std::string m_buffer;
    std::size_t m_maxMessage;
    Opcode m_opcode = Opcode::Text;
    bool m_inMessage = false;
};

struct CloseInfo
{
    bool valid = true;
    // 1005 ("no status") when the payload is empty.
    int code = 1005;
    std::string_view reason;
};

CloseInfo parseClosePayload(std::string_view payload);

// --- Frames to the server ------------------------------------------------------------------

// Appends one masked client frame (FIN set unless fin is false) to out.
void appendClientFrame(std::string &out,
                       Opcode opcode,
                       std::string_view payload,
                       std::uint32_t maskKey,
                       bool fin = true);

} // namespace DNotifier::Bench
