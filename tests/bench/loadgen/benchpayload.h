#pragma once

// The bytes every workload publishes: "s=<sequence> t=<CLOCK_MONOTONIC ns> " padded with 'x' to
// the requested size. They need no JSON escaping, so both servers forward the same bytes, and a
// subscriber reads back the sequence (loss and order) and the send time (latency).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace DNotifier::Bench {

struct PayloadStamp
{
    std::uint64_t sequence = 0;
    std::int64_t sentNs = 0;
};

std::string benchPayload(PayloadStamp stamp, std::size_t size);

// Nothing usable when the payload does not start like benchPayload()'s.
bool parseBenchPayload(std::string_view payload, PayloadStamp &stamp);

} // namespace DNotifier::Bench
