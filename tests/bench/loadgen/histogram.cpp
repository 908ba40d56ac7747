#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace DNotifier::Bench {

namespace {

// A value v >= 2^SubBits lands in the bucket (shift * Half) + (v >> shift), where shift drops
// all but its SubBits highest bits: the buckets of one power of two run on from those of the
// one below, and the values below 2^SubBits are their own buckets.
constexpr int SubBits = 11;
constexpr std::uint64_t Linear = std::uint64_t(1) << SubBits;
constexpr std::uint64_t Half = Linear / 2;

} // namespace

LatencyHistogram::LatencyHistogram()
    : m_counts(bucketOf(MaxValue) + 1, 0)
{ }

std::size_t LatencyHistogram::bucketOf(std::int64_t ns)
{
    const auto value = std::uint64_t(std::clamp<std::int64_t>(ns, 0, MaxValue));
    if (value < Linear) {
        return std::size_t(value);
    }
    const int shift = std::bit_width(value) - SubBits;
    return std::size_t(std::uint64_t(shift) * Half + (value >> shift));
}

std::int64_t LatencyHistogram::bucketLowest(std::size_t bucket)
{
    if (bucket < Linear) {
        return std::int64_t(bucket);
    }
    const std::uint64_t shift = bucket / Half - 1;
    const std::uint64_t top = bucket - shift * Half;
    return std::int64_t(top << shift);
}

std::int64_t LatencyHistogram::bucketHighest(std::size_t bucket)
{
    if (bucket < Linear) {
        return std::int64_t(bucket);
    }
    const std::uint64_t shift = bucket / Half - 1;
    return bucketLowest(bucket) + std::int64_t((std::uint64_t(1) << shift) - 1);
}

void LatencyHistogram::record(std::int64_t ns)
{
    if (ns < 0 || ns > MaxValue) {
        ++m_clamped;
        ns = std::clamp<std::int64_t>(ns, 0, MaxValue);
    }
    ++m_counts[bucketOf(ns)];
    if (m_count == 0 || ns < m_min) {
        m_min = ns;
    }
    m_max = std::max(m_max, ns);
    m_sum += ns;
    ++m_count;
}

std::int64_t LatencyHistogram::percentile(double q) const
{
    if (m_count == 0) {
        return 0;
    }
    const double wanted = std::ceil(std::clamp(q, 0.0, 1.0) * double(m_count));
    const std::uint64_t rank = std::max<std::uint64_t>(1, std::uint64_t(wanted));
    std::uint64_t seen = 0;
    for (std::size_t bucket = 0; bucket < m_counts.size(); ++bucket) {
        seen += m_counts[bucket];
        if (seen >= rank) {
            return std::min(bucketHighest(bucket), m_max);
        }
    }
    return m_max;
}

} // namespace DNotifier::Bench
