#include "pacer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace DNotifier::Bench {

namespace {

constexpr std::int64_t MinTickNs = 20'000;

} // namespace

Pacer::Pacer(double perSecond)
    : m_perSecond(perSecond > 0 ? perSecond : 1)
{ }

Pacer::~Pacer()
{
    if (m_timer >= 0) {
        ::close(m_timer);
    }
}

bool Pacer::start(ClientPool &pool)
{
    // The kernel may otherwise defer a timer by up to 50 µs to merge wake-ups, a fifth of the
    // 100 µs tick of 10,000 publications a second.
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    m_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_timer < 0) {
        std::fprintf(stderr, "dnotifier-loadgen: timerfd_create: %s\n", std::strerror(errno));
        return false;
    }
    const auto tick = std::max(MinTickNs, std::int64_t(std::llround(1e9 / m_perSecond)));
    itimerspec spec{};
    spec.it_interval.tv_sec = tick / 1'000'000'000;
    spec.it_interval.tv_nsec = tick % 1'000'000'000;
    // The first tick comes at once: publication 0 is due at the start.
    spec.it_value.tv_nsec = 1;
    m_startNs = monotonicNs();
    if (timerfd_settime(m_timer, 0, &spec, nullptr) != 0) {
        std::fprintf(stderr, "dnotifier-loadgen: timerfd_settime: %s\n", std::strerror(errno));
        return false;
    }
    return pool.watch(m_timer);
}

std::int64_t Pacer::dueAt(std::uint64_t index) const
{
    return m_startNs + std::int64_t(double(index) * 1e9 / m_perSecond);
}

void Pacer::resetLateness()
{
    m_maxLateNs = 0;
    m_maxLateAtNs = 0;
}

std::uint64_t Pacer::take(std::int64_t nowNs)
{
    std::uint64_t expirations = 0;
    while (::read(m_timer, &expirations, sizeof expirations) < 0 && errno == EINTR) { }
    if (nowNs < m_startNs) {
        return 0;
    }
    // Publications 0 .. owed - 1 are due by now.
    const auto owed = std::uint64_t(double(nowNs - m_startNs) * m_perSecond / 1e9) + 1;
    if (owed <= m_taken) {
        return 0;
    }
    if (nowNs - dueAt(m_taken) > m_maxLateNs) {
        m_maxLateNs = nowNs - dueAt(m_taken);
        m_maxLateAtNs = nowNs;
    }
    const std::uint64_t due = owed - m_taken;
    m_taken = owed;
    return due;
}

} // namespace DNotifier::Bench
