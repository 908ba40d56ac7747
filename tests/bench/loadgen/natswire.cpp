#include "natswire.h"

#include <array>

namespace DNotifier::Bench {

namespace {

constexpr std::size_t MaxControlLine = 4096;
constexpr std::size_t MaxPayload = 64 * 1024 * 1024;

NatsOp invalidOp()
{
    NatsOp op;
    op.status = NatsOp::Status::Invalid;
    return op;
}

bool startsWithVerb(std::string_view line, std::string_view verb)
{
    if (line.size() < verb.size()) {
        return false;
    }
    for (std::size_t i = 0; i < verb.size(); ++i) {
        char c = line[i];
        c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        if (c != verb[i]) {
            return false;
        }
    }
    return line.size() == verb.size() || line[verb.size()] == ' ' || line[verb.size()] == '\t';
}

bool parseSize(std::string_view text, std::size_t &value)
{
    if (text.empty() || text.size() > 9) {
        return false;
    }
    value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
        value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    return true;
}

// Splits the arguments of a control line at spaces and tabs; false when there are more than
// fit.
bool splitArguments(std::string_view line,
                    std::array<std::string_view, 5> &args,
                    std::size_t &count)
{
    count = 0;
    std::size_t pos = 0;
    while (pos < line.size()) {
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) {
            ++pos;
        }
        if (pos >= line.size()) {
            break;
        }
        const std::size_t start = pos;
        while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t') {
            ++pos;
        }
        if (count == args.size()) {
            return false;
        }
        args[count++] = line.substr(start, pos - start);
    }
    return true;
}

// MSG <subject> <sid> [reply-to] <#bytes> and HMSG <subject> <sid> [reply-to] <#hdr> <#total>.
NatsOp parseMessage(std::string_view data,
                    std::string_view arguments,
                    std::size_t lineLength,
                    bool headers)
{
    std::array<std::string_view, 5> args;
    std::size_t count = 0;
    if (!splitArguments(arguments, args, count)) {
        return invalidOp();
    }
    const std::size_t needed = headers ? 4 : 3;
    if (count != needed && count != needed + 1) {
        return invalidOp();
    }
    std::size_t total = 0;
    std::size_t headerBytes = 0;
    if (!parseSize(args[count - 1], total) || total > MaxPayload) {
        return invalidOp();
    }
    if (headers && (!parseSize(args[count - 2], headerBytes) || headerBytes > total)) {
        return invalidOp();
    }
    if (data.size() < lineLength + total + 2) {
        return {};
    }
    if (data[lineLength + total] != '\r' || data[lineLength + total + 1] != '\n') {
        return invalidOp();
    }
    NatsOp op;
    op.status = NatsOp::Status::Complete;
    op.kind = NatsOp::Kind::Msg;
    op.subject = args[0];
    op.payload = data.substr(lineLength + headerBytes, total - headerBytes);
    op.consumed = lineLength + total + 2;
    return op;
}

} // namespace

NatsOp parseNatsOp(std::string_view data)
{
    const std::size_t end = data.find("\r\n");
    if (end == std::string_view::npos) {
        return data.size() > MaxControlLine ? invalidOp() : NatsOp();
    }
    const std::string_view line = data.substr(0, end);
    const std::size_t lineLength = end + 2;
    if (startsWithVerb(line, "MSG")) {
        return parseMessage(data, line.substr(3), lineLength, false);
    }
    if (startsWithVerb(line, "HMSG")) {
        return parseMessage(data, line.substr(4), lineLength, true);
    }
    NatsOp op;
    op.status = NatsOp::Status::Complete;
    op.consumed = lineLength;
    if (startsWithVerb(line, "PING")) {
        op.kind = NatsOp::Kind::Ping;
    } else if (startsWithVerb(line, "PONG")) {
        op.kind = NatsOp::Kind::Pong;
    } else if (startsWithVerb(line, "+OK")) {
        op.kind = NatsOp::Kind::Ok;
    } else if (startsWithVerb(line, "INFO")) {
        op.kind = NatsOp::Kind::Info;
        op.text = line.substr(line.size() > 5 ? 5 : line.size());
    } else if (startsWithVerb(line, "-ERR")) {
        op.kind = NatsOp::Kind::Err;
        op.text = line.substr(line.size() > 5 ? 5 : line.size());
    } else {
        return invalidOp();
    }
    return op;
}

std::string natsConnect(bool verbose)
{
    return std::string("CONNECT {\"verbose\":") + (verbose ? "true" : "false")
           + ",\"pedantic\":false,\"echo\":false,\"lang\":\"dnotifier-loadgen\","
             "\"version\":\"0.1\",\"protocol\":1}\r\n";
}

void appendNatsPub(std::string &out, std::string_view subject, std::string_view payload)
{
    out.append("PUB ").append(subject).append(" ").append(std::to_string(payload.size()));
    out.append("\r\n").append(payload).append("\r\n");
}

} // namespace DNotifier::Bench
