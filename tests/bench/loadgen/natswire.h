#pragma once

// What the load generator needs of the NATS client protocol (text lines ending in CRLF, carried
// inside WebSocket frames that need not align with them), as pure functions.

#include <cstddef>
#include <string>
#include <string_view>

namespace DNotifier::Bench {

struct NatsOp
{
    enum class Kind {
        Info,
        Msg,
        Ping,
        Pong,
        Ok,
        Err,
    };
    enum class Status {
        NeedMore,
        Complete,
        Invalid,
    };
    Status status = Status::NeedMore;
    Kind kind = Kind::Ok;
    // Msg: subject and payload (headers of an HMSG skipped). Info and Err: the text after the
    // verb.
    std::string_view subject;
    std::string_view payload;
    std::string_view text;
    std::size_t consumed = 0;
};

// Parses the server operation at the start of data.
NatsOp parseNatsOp(std::string_view data);

// CONNECT without echo or pedantic mode. With verbose, the server answers every later operation
// with +OK: the HTTP publish workload's acknowledgement of each PUB.
std::string natsConnect(bool verbose = false);

// Appends "PUB subject n\r\npayload\r\n" to out.
void appendNatsPub(std::string &out, std::string_view subject, std::string_view payload);

} // namespace DNotifier::Bench
