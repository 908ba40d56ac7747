#include "pusherwire.h"

#include <algorithm>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace DNotifier::Bench {

namespace {

constexpr char HexDigits[] = "0123456789abcdef";

std::string hex(const unsigned char *data, std::size_t size)
{
    std::string out;
    out.reserve(2 * size);
    for (std::size_t i = 0; i < size; ++i) {
        out += HexDigits[data[i] >> 4];
        out += HexDigits[data[i] & 0x0F];
    }
    return out;
}

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void skipSpace(std::string_view text, std::size_t &pos)
{
    while (pos < text.size() && isJsonSpace(text[pos])) {
        ++pos;
    }
}

// Moves pos past the string that starts at pos (on its opening quote).
bool skipString(std::string_view text, std::size_t &pos)
{
    for (++pos; pos < text.size(); ++pos) {
        if (text[pos] == '\\') {
            ++pos;
        } else if (text[pos] == '"') {
            ++pos;
            return true;
        }
    }
    return false;
}

// Moves pos past the value that starts at pos. Nested objects and arrays are only balanced, not
// checked, which is enough to step over them.
bool skipValue(std::string_view text, std::size_t &pos)
{
    if (pos >= text.size()) {
        return false;
    }
    if (text[pos] == '"') {
        return skipString(text, pos);
    }
    if (text[pos] == '{' || text[pos] == '[') {
        int depth = 0;
        while (pos < text.size()) {
            const char c = text[pos];
            if (c == '"') {
                if (!skipString(text, pos)) {
                    return false;
                }
                continue;
            }
            if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                --depth;
            }
            ++pos;
            if (depth == 0) {
                return true;
            }
        }
        return false;
    }
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] != ',' && text[pos] != '}' && text[pos] != ']'
           && !isJsonSpace(text[pos])) {
        ++pos;
    }
    return pos > start;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool readHex4(std::string_view text, std::size_t pos, std::uint32_t &value)
{
    if (pos + 4 > text.size()) {
        return false;
    }
    value = 0;
    for (std::size_t i = pos; i < pos + 4; ++i) {
        const int digit = hexValue(text[i]);
        if (digit < 0) {
            return false;
        }
        value = (value << 4) | static_cast<std::uint32_t>(digit);
    }
    return true;
}

void appendUtf8(std::string &out, std::uint32_t codePoint)
{
    if (codePoint < 0x80) {
        out += static_cast<char>(codePoint);
    } else if (codePoint < 0x800) {
        out += static_cast<char>(0xC0 | (codePoint >> 6));
        out += static_cast<char>(0x80 | (codePoint & 0x3F));
    } else if (codePoint < 0x10000) {
        out += static_cast<char>(0xE0 | (codePoint >> 12));
        out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (codePoint & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (codePoint >> 18));
        out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (codePoint & 0x3F));
    }
}

// Decodes the escape at body[pos] (just after the backslash); pos ends on its last character.
bool decodeEscape(std::string_view body, std::size_t &pos, std::string &out)
{
    switch (body[pos]) {
    case '"':
    case '\\':
    case '/':
        out += body[pos];
        return true;
    case 'b':
        out += '\b';
        return true;
    case 'f':
        out += '\f';
        return true;
    case 'n':
        out += '\n';
        return true;
    case 'r':
        out += '\r';
        return true;
    case 't':
        out += '\t';
        return true;
    case 'u':
        break;
    default:
        return false;
    }
    std::uint32_t unit = 0;
    if (!readHex4(body, pos + 1, unit)) {
        return false;
    }
    pos += 4;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
        std::uint32_t low = 0;
        if (pos + 2 >= body.size() || body[pos + 1] != '\\' || body[pos + 2] != 'u'
            || !readHex4(body, pos + 3, low) || low < 0xDC00 || low > 0xDFFF) {
            return false;
        }
        pos += 6;
        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        return false;
    }
    appendUtf8(out, unit);
    return true;
}

std::int64_t parseDecimal(std::string_view text)
{
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9' || value > 999'999'999'999) {
            return -1;
        }
        value = value * 10 + (c - '0');
    }
    return text.empty() ? -1 : value;
}

// Reads the header lines of a response head: returns Content-Length, or -1 when it is missing,
// malformed or the body is chunked; closes tells whether the server ends the connection.
std::int64_t readResponseHeaders(std::string_view lines, bool &closes)
{
    std::int64_t contentLength = -1;
    while (!lines.empty()) {
        const std::size_t end = std::min(lines.size(), lines.find("\r\n"));
        const std::string_view line = lines.substr(0, end);
        lines.remove_prefix(std::min(lines.size(), end + 2));
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            return -1;
        }
        std::string name(line.substr(0, colon));
        for (char &c : name) {
            c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
        if (name == "content-length") {
            contentLength = parseDecimal(value);
        } else if (name == "connection") {
            closes = value == "close" || value == "Close";
        } else if (name == "transfer-encoding") {
            return -1;
        }
    }
    return contentLength;
}

} // namespace

std::optional<std::string_view> jsonMember(std::string_view object, std::string_view key)
{
    std::size_t pos = 0;
    skipSpace(object, pos);
    if (pos >= object.size() || object[pos] != '{') {
        return std::nullopt;
    }
    ++pos;
    for (;;) {
        skipSpace(object, pos);
        if (pos >= object.size() || object[pos] != '"') {
            return std::nullopt;
        }
        const std::size_t keyStart = pos + 1;
        if (!skipString(object, pos)) {
            return std::nullopt;
        }
        const std::string_view name = object.substr(keyStart, pos - 1 - keyStart);
        skipSpace(object, pos);
        if (pos >= object.size() || object[pos] != ':') {
            return std::nullopt;
        }
        ++pos;
        skipSpace(object, pos);
        const std::size_t valueStart = pos;
        if (!skipValue(object, pos)) {
            return std::nullopt;
        }
        if (name == key) {
            return object.substr(valueStart, pos - valueStart);
        }
        skipSpace(object, pos);
        if (pos >= object.size() || object[pos] != ',') {
            return std::nullopt;
        }
        ++pos;
    }
}

std::optional<std::string_view> jsonString(std::string_view raw, std::string &scratch)
{
    if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') {
        return std::nullopt;
    }
    const std::string_view body = raw.substr(1, raw.size() - 2);
    if (body.find('\\') == std::string_view::npos) {
        return body;
    }
    scratch.clear();
    for (std::size_t pos = 0; pos < body.size(); ++pos) {
        if (body[pos] != '\\') {
            scratch += body[pos];
            continue;
        }
        if (++pos >= body.size() || !decodeEscape(body, pos, scratch)) {
            return std::nullopt;
        }
    }
    return std::string_view(scratch);
}

void appendJsonString(std::string &out, std::string_view value)
{
    out += '"';
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20) {
            out += "\\u00";
            out += HexDigits[byte >> 4];
            out += HexDigits[byte & 0x0F];
        } else {
            out += c;
        }
    }
    out += '"';
}

std::string md5Hex(std::string_view data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr) != 1) {
        return {};
    }
    return hex(digest, length);
}

std::string hmacSha256Hex(std::string_view secret, std::string_view message)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char *>(message.data()), message.size(), digest,
             &length)
        == nullptr) {
        return {};
    }
    return hex(digest, length);
}

std::string eventsBody(std::string_view channel, std::string_view event, std::string_view data)
{
    std::string body;
    body.reserve(40 + channel.size() + event.size() + data.size());
    body += "{\"name\":";
    appendJsonString(body, event);
    body += ",\"channel\":";
    appendJsonString(body, channel);
    body += ",\"data\":";
    appendJsonString(body, data);
    body += '}';
    return body;
}

std::string signedEventsRequest(const PusherApp &app,
                                std::string_view hostPort,
                                std::int64_t timestamp,
                                std::string_view body)
{
    const std::string path = "/apps/" + app.id + "/events";
    const std::string query = "auth_key=" + app.key + "&auth_timestamp=" + std::to_string(timestamp)
                              + "&auth_version=1.0&body_md5=" + md5Hex(body);
    const std::string signature = hmacSha256Hex(app.secret, "POST\n" + path + '\n' + query);
    std::string request;
    request.reserve(200 + path.size() + query.size() + body.size());
    request.append("POST ").append(path).append("?").append(query);
    request.append("&auth_signature=").append(signature).append(" HTTP/1.1\r\nHost: ");
    request.append(hostPort).append("\r\nContent-Type: application/json\r\nContent-Length: ");
    request.append(std::to_string(body.size())).append("\r\n\r\n").append(body);
    return request;
}

HttpResponseParse parseHttpResponse(std::string_view data)
{
    HttpResponseParse parse;
    const std::size_t headEnd = data.find("\r\n\r\n");
    if (headEnd == std::string_view::npos) {
        if (data.size() > 16 * 1024) {
            parse.status = HttpResponseParse::Status::Invalid;
        }
        return parse;
    }
    const std::string_view head = data.substr(0, headEnd);
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/" || head[8] != ' ') {
        parse.status = HttpResponseParse::Status::Invalid;
        return parse;
    }
    parse.httpStatus = static_cast<int>(parseDecimal(head.substr(9, 3)));
    const std::size_t statusEnd = head.find("\r\n");
    const std::int64_t contentLength =
            readResponseHeaders(statusEnd == std::string_view::npos ? std::string_view()
                                                                    : head.substr(statusEnd + 2),
                                parse.closes);
    if (parse.httpStatus < 100 || contentLength < 0) {
        parse.status = HttpResponseParse::Status::Invalid;
        return parse;
    }
    const std::size_t total = headEnd + 4 + static_cast<std::size_t>(contentLength);
    if (data.size() < total) {
        return parse;
    }
    parse.status = HttpResponseParse::Status::Complete;
    parse.consumed = total;
    return parse;
}

} // namespace DNotifier::Bench
