#include "wsframe.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <openssl/evp.h>

namespace DNotifier::Bench {

namespace {

constexpr std::string_view WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t MaxUpgradeHead = 16 * 1024;

std::string base64(const unsigned char *data, std::size_t size)
{
    std::string out(4 * ((size + 2) / 3), '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()), data,
                                        static_cast<int>(size));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

char lowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return lowerAscii(x) == lowerAscii(y);
           });
}

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// Whether a comma-separated header value lists token.
bool listsToken(std::string_view value, std::string_view token)
{
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        if (equalsIgnoringCase(trimmed(value.substr(0, comma)), token)) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        value.remove_prefix(comma + 1);
    }
    return false;
}

UpgradeCheck rejected(std::string reason, int httpStatus = 0)
{
    UpgradeCheck check;
    check.status = UpgradeCheck::Status::Rejected;
    check.httpStatus = httpStatus;
    check.reason = std::move(reason);
    return check;
}

// Parses "HTTP/1.1 101 Switching Protocols"; returns the status or -1.
int statusOf(std::string_view statusLine)
{
    if (statusLine.size() < 12 || statusLine.substr(0, 5) != "HTTP/" || statusLine[8] != ' ') {
        return -1;
    }
    int status = 0;
    for (std::size_t i = 9; i < 12; ++i) {
        if (statusLine[i] < '0' || statusLine[i] > '9') {
            return -1;
        }
        status = status * 10 + (statusLine[i] - '0');
    }
    return status;
}

struct UpgradeHeaders
{
    bool upgradeWebSocket = false;
    bool connectionUpgrade = false;
    bool hasAccept = false;
    std::string_view accept;
    std::string_view extensions;
    std::string_view protocol;
};

// Reads the header lines between the status line and the blank line; false on a malformed one.
bool readHeaders(std::string_view lines, UpgradeHeaders &headers)
{
    while (!lines.empty()) {
        const std::size_t end = lines.find("\r\n");
        const std::string_view line = lines.substr(0, end);
        lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 2);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            return false;
        }
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trimmed(line.substr(colon + 1));
        if (equalsIgnoringCase(name, "upgrade")) {
            headers.upgradeWebSocket = headers.upgradeWebSocket || listsToken(value, "websocket");
        } else if (equalsIgnoringCase(name, "connection")) {
            headers.connectionUpgrade = headers.connectionUpgrade || listsToken(value, "upgrade");
        } else if (equalsIgnoringCase(name, "sec-websocket-accept")) {
            if (headers.hasAccept) {
                return false;
            }
            headers.hasAccept = true;
            headers.accept = value;
        } else if (equalsIgnoringCase(name, "sec-websocket-extensions")) {
            headers.extensions = value;
        } else if (equalsIgnoringCase(name, "sec-websocket-protocol")) {
            headers.protocol = value;
        }
    }
    return true;
}

void applyMask(char *data, std::size_t size, std::uint32_t maskKey)
{
    unsigned char key[4];
    std::memcpy(key, &maskKey, 4);
    std::uint64_t wide = 0;
    for (int i = 0; i < 8; ++i) {
        wide |= std::uint64_t(key[i % 4]) << (8 * i);
    }
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + i, 8);
        word ^= wide;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < size; ++i) {
        data[i] = static_cast<char>(data[i] ^ key[i % 4]);
    }
}

FrameParse invalid(std::string_view error)
{
    FrameParse parse;
    parse.status = FrameParse::Status::Invalid;
    parse.error = error;
    return parse;
}

// Reads the 16- or 64-bit length that follows a 7-bit length of 126 or 127. Complete when
// length and headerLength were set.
FrameParse readExtendedLength(std::string_view data,
                              std::uint64_t &length,
                              std::size_t &headerLength)
{
    headerLength = length == 126 ? 4 : 10;
    if (data.size() < headerLength) {
        return {};
    }
    length = 0;
    for (std::size_t i = 2; i < headerLength; ++i) {
        length = (length << 8) | static_cast<unsigned char>(data[i]);
    }
    if (headerLength == 4 && length < 126) {
        return invalid("16-bit length not minimal");
    }
    if (headerLength == 10 && (length >> 63) != 0) {
        return invalid("64-bit length has its top bit set");
    }
    if (headerLength == 10 && length <= 0xFFFF) {
        return invalid("64-bit length not minimal");
    }
    FrameParse parse;
    parse.status = FrameParse::Status::Complete;
    return parse;
}

bool knownOpcode(unsigned value)
{
    return value <= 0x2 || (value >= 0x8 && value <= 0xA);
}

} // namespace

bool isControl(Opcode opcode)
{
    return (static_cast<unsigned>(opcode) & 0x8) != 0;
}

std::string webSocketAccept(std::string_view key)
{
    std::string input;
    input.reserve(key.size() + WebSocketGuid.size());
    input.append(key).append(WebSocketGuid);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestLength = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &digestLength, EVP_sha1(), nullptr) != 1) {
        return {};
    }
    return base64(digest, digestLength);
}

std::string webSocketKey(std::uint64_t randomHigh, std::uint64_t randomLow)
{
    unsigned char bytes[16];
    std::memcpy(bytes, &randomHigh, 8);
    std::memcpy(bytes + 8, &randomLow, 8);
    return base64(bytes, sizeof bytes);
}

std::string upgradeRequest(std::string_view hostPort, std::string_view path, std::string_view key)
{
    std::string request;
    request.reserve(160 + hostPort.size() + path.size());
    request.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(hostPort);
    request.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
    request.append(key).append("\r\nSec-WebSocket-Version: 13\r\n\r\n");
    return request;
}

UpgradeCheck checkUpgradeResponse(std::string_view data, std::string_view expectedAccept)
{
    const std::size_t headEnd = data.find("\r\n\r\n");
    if (headEnd == std::string_view::npos) {
        if (data.size() > MaxUpgradeHead) {
            return rejected("response head too long");
        }
        return {};
    }
    const std::string_view head = data.substr(0, headEnd);
    const std::size_t statusEnd = head.find("\r\n");
    const int status = statusOf(head.substr(0, statusEnd));
    if (status < 0) {
        return rejected("malformed status line");
    }
    if (status != 101) {
        return rejected("HTTP status " + std::to_string(status), status);
    }
    UpgradeHeaders headers;
    const std::string_view lines =
            statusEnd == std::string_view::npos ? std::string_view() : head.substr(statusEnd + 2);
    if (!readHeaders(lines, headers)) {
        return rejected("malformed header line", status);
    }
    if (!headers.upgradeWebSocket) {
        return rejected("no \"Upgrade: websocket\"", status);
    }
    if (!headers.connectionUpgrade) {
        return rejected("no \"Connection: upgrade\"", status);
    }
    if (!headers.hasAccept || headers.accept != expectedAccept) {
        return rejected("wrong Sec-WebSocket-Accept", status);
    }
    if (!headers.extensions.empty()) {
        return rejected("extension not requested", status);
    }
    if (!headers.protocol.empty()) {
        return rejected("subprotocol not requested", status);
    }
    UpgradeCheck check;
    check.status = UpgradeCheck::Status::Accepted;
    check.headLength = headEnd + 4;
    check.httpStatus = status;
    return check;
}

FrameParse parseServerFrame(std::string_view data, std::uint64_t maxPayload)
{
    if (data.size() < 2) {
        return {};
    }
    const auto first = static_cast<unsigned char>(data[0]);
    const auto second = static_cast<unsigned char>(data[1]);
    if ((first & 0x70) != 0) {
        return invalid("reserved bits set");
    }
    if (!knownOpcode(first & 0x0F)) {
        return invalid("unknown opcode");
    }
    if ((second & 0x80) != 0) {
        return invalid("server frame is masked");
    }
    const auto opcode = static_cast<Opcode>(first & 0x0F);
    const bool fin = (first & 0x80) != 0;
    std::uint64_t length = second & 0x7F;
    std::size_t headerLength = 2;
    if (length >= 126) {
        const FrameParse extended = readExtendedLength(data, length, headerLength);
        if (extended.status != FrameParse::Status::Complete) {
            return extended;
        }
    }
    if (isControl(opcode) && (!fin || length > 125)) {
        return invalid("control frame fragmented or longer than 125 bytes");
    }
    if (length > maxPayload) {
        return invalid("frame larger than allowed");
    }
    if (data.size() - headerLength < length) {
        return {};
    }
    FrameParse parse;
    parse.status = FrameParse::Status::Complete;
    parse.frame.fin = fin;
    parse.frame.opcode = opcode;
    parse.frame.payload = data.substr(headerLength, static_cast<std::size_t>(length));
    parse.consumed = headerLength + static_cast<std::size_t>(length);
    return parse;
}

MessageAssembler::Message MessageAssembler::push(const Frame &frame)
{
    Message message;
    if (isControl(frame.opcode)) {
        message.status = Message::Status::Complete;
        message.opcode = frame.opcode;
        message.payload = frame.payload;
        return message;
    }
    if (frame.opcode == Opcode::Continuation) {
        if (!m_inMessage) {
            message.status = Message::Status::Invalid;
            message.error = "continuation frame outside a message";
            return message;
        }
    } else {
        if (m_inMessage) {
            message.status = Message::Status::Invalid;
            message.error = "new message before the previous one finished";
            return message;
        }
        if (frame.fin) {
            message.status = Message::Status::Complete;
            message.opcode = frame.opcode;
            message.payload = frame.payload;
            return message;
        }
        m_inMessage = true;
        m_opcode = frame.opcode;
        m_buffer.clear();
    }
    if (m_buffer.size() + frame.payload.size() > m_maxMessage) {
        message.status = Message::Status::Invalid;
        message.error = "message larger than allowed";
        return message;
    }
    m_buffer.append(frame.payload);
    if (!frame.fin) {
        return message;
    }
    m_inMessage = false;
    message.status = Message::Status::Complete;
    message.opcode = m_opcode;
    message.payload = m_buffer;
    return message;
}

CloseInfo parseClosePayload(std::string_view payload)
{
    CloseInfo info;
    if (payload.empty()) {
        return info;
    }
    if (payload.size() == 1) {
        info.valid = false;
        return info;
    }
    info.code =
            (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
    info.reason = payload.substr(2);
    return info;
}

void appendClientFrame(std::string &out,
                       Opcode opcode,
                       std::string_view payload,
                       std::uint32_t maskKey,
                       bool fin)
{
    std::array<unsigned char, 14> header{};
    std::size_t headerLength = 2;
    header[0] = static_cast<unsigned char>((fin ? 0x80 : 0x00) | static_cast<unsigned>(opcode));
    const std::uint64_t length = payload.size();
    if (length < 126) {
        header[1] = static_cast<unsigned char>(0x80 | length);
    } else if (length <= 0xFFFF) {
        header[1] = 0x80 | 126;
        header[2] = static_cast<unsigned char>(length >> 8);
        header[3] = static_cast<unsigned char>(length);
        headerLength = 4;
    } else {
        header[1] = 0x80 | 127;
        for (int i = 0; i < 8; ++i) {
            header[2 + i] = static_cast<unsigned char>(length >> (56 - 8 * i));
        }
        headerLength = 10;
    }
    std::memcpy(header.data() + headerLength, &maskKey, 4);
    headerLength += 4;
    const std::size_t start = out.size();
    out.append(reinterpret_cast<const char *>(header.data()), headerLength);
    out.append(payload);
    applyMask(out.data() + start + headerLength, payload.size(), maskKey);
}

} // namespace DNotifier::Bench
