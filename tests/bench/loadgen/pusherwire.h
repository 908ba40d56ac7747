#pragma once

// What the load generator needs of the Pusher protocol, as pure functions: reading the top-level
// members of a server frame without a full JSON parser, and building signed HTTP API requests
// (auth_version 1.0: body_md5 and an HMAC-SHA256 signature, OpenSSL) plus reading the node's
// HTTP responses on a keep-alive connection.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace DNotifier::Bench {

// The raw text of a top-level member's value in a JSON object ("\"x\"", "{...}", "12"), or
// nothing when the key is absent or the text is not a well-formed enough object to find it.
std::optional<std::string_view> jsonMember(std::string_view object, std::string_view key);

// The contents of a JSON string value, decoded. scratch holds the text when escapes had to be
// decoded; otherwise the result is a view into raw. Nothing when raw is not a JSON string.
std::optional<std::string_view> jsonString(std::string_view raw, std::string &scratch);

// Appends value as a JSON string literal, quotes included.
void appendJsonString(std::string &out, std::string_view value);

struct PusherApp
{
    std::string id;
    std::string key;
    std::string secret;
};

std::string md5Hex(std::string_view data);
std::string hmacSha256Hex(std::string_view secret, std::string_view message);

// {"name":event,"channel":channel,"data":data}
std::string eventsBody(std::string_view channel, std::string_view event, std::string_view data);

// A complete POST /apps/ID/events request with a keep-alive connection, signed at timestamp.
std::string signedEventsRequest(const PusherApp &app,
                                std::string_view hostPort,
                                std::int64_t timestamp,
                                std::string_view body);

struct HttpResponseParse
{
    enum class Status {
        NeedMore,
        Complete,
        Invalid,
    };
    Status status = Status::NeedMore;
    int httpStatus = 0;
    // With Complete: bytes of the head and body.
    std::size_t consumed = 0;
    bool closes = false;
};

// Reads one HTTP/1.1 response with a Content-Length body (the node never chunks its answers).
HttpResponseParse parseHttpResponse(std::string_view data);

} // namespace DNotifier::Bench
