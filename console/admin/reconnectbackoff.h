#pragma once

// The delays between reconnection attempts: exponential from `initial`, capped at `maximum`,
// each drawn at random from the upper half of its step ("equal jitter") so that consoles
// cut off together by a restarting node do not all come back in the same instant.

#include <QRandomGenerator>

#include <chrono>

namespace DNotifier::Console {

class ReconnectBackoff final
{
public:
    using Milliseconds = std::chrono::milliseconds;

    explicit ReconnectBackoff(Milliseconds initial = Milliseconds(500),
                              Milliseconds maximum = Milliseconds(30'000),
                              QRandomGenerator *random = QRandomGenerator::global());

    // The delay before the next attempt; each call doubles the step until the cap.
    Milliseconds next();

    // The step the next call draws from, before jitter.
    Milliseconds currentStep() const { return m_step; }

    void reset();

private:
    Milliseconds m_initial;
    Milliseconds m_maximum;
    Milliseconds m_step;
    QRandomGenerator *m_random;
};

} // namespace DNotifier::Console
