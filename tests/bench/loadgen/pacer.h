#pragma once

// Publishing at a fixed rate, paced by a timer rather than in bursts: a timerfd in the pool's
// wait fires every 1/rate seconds (or every 20 µs above 50,000 per second, several then being
// due per tick), and take() says how many publications the schedule owes by now. The k-th one
// (from 0) is due at start + k / rate. When the loop falls behind, the owed ones go out at the
// next wake-up, so the average rate holds, and the lateness is kept for the report.

#include "clientpool.h"

#include <cstdint>

namespace DNotifier::Bench {

class Pacer
{
public:
    explicit Pacer(double perSecond);
    ~Pacer();
    Pacer(const Pacer &) = delete;
    Pacer &operator=(const Pacer &) = delete;

    // Arms the timer from now and adds it to the pool's wait; false with the pool's error set
    // when the timer could not be made.
    bool start(ClientPool &pool);

    // How many publications are due at nowNs and not yet taken; counts them as taken. Reads the
    // timer so that the pool's wait blocks again.
    std::uint64_t take(std::int64_t nowNs);

    std::uint64_t taken() const { return m_taken; }

    // Forgets the lateness seen so far: the window starts after the warm-up.
    void resetLateness();

    // The longest a due publication waited for the loop to take it since the last reset, in
    // nanoseconds, and when that was (CLOCK_MONOTONIC).
    std::int64_t maxLateNs() const { return m_maxLateNs; }

    std::int64_t maxLateAtNs() const { return m_maxLateAtNs; }

private:
    std::int64_t dueAt(std::uint64_t index) const;

    double m_perSecond;
    int m_timer = -1;
    std::int64_t m_startNs = 0;
    std::uint64_t m_taken = 0;
    std::int64_t m_maxLateNs = 0;
    std::int64_t m_maxLateAtNs = 0;
};

} // namespace DNotifier::Bench
