#include "benchpayload.h"

namespace DNotifier::Bench {

namespace {

bool readNumber(std::string_view &text, std::string_view prefix, std::uint64_t &value)
{
    if (text.substr(0, prefix.size()) != prefix) {
        return false;
    }
    text.remove_prefix(prefix.size());
    std::size_t digits = 0;
    value = 0;
    while (digits < text.size() && digits < 19 && text[digits] >= '0' && text[digits] <= '9') {
        value = value * 10 + static_cast<std::uint64_t>(text[digits] - '0');
        ++digits;
    }
    if (digits == 0 || digits >= text.size() || text[digits] != ' ') {
        return false;
    }
    text.remove_prefix(digits + 1);
    return true;
}

} // namespace

std::string benchPayload(PayloadStamp stamp, std::size_t size)
{
    std::string payload =
            "s=" + std::to_string(stamp.sequence) + " t=" + std::to_string(stamp.sentNs) + ' ';
    if (payload.size() < size) {
        payload.append(size - payload.size(), 'x');
    }
    return payload;
}

bool parseBenchPayload(std::string_view payload, PayloadStamp &stamp)
{
    std::uint64_t sent = 0;
    if (!readNumber(payload, "s=", stamp.sequence) || !readNumber(payload, "t=", sent)) {
        return false;
    }
    stamp.sentNs = static_cast<std::int64_t>(sent);
    return true;
}

} // namespace DNotifier::Bench
