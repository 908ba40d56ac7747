#include "reconnectbackoff.h"

#include <algorithm>

namespace DNotifier::Console {

ReconnectBackoff::ReconnectBackoff(Milliseconds initial,
                                   Milliseconds maximum,
                                   QRandomGenerator *random)
    : m_initial(std::max(initial, Milliseconds(1)))
    , m_maximum(std::max(maximum, m_initial))
    , m_step(m_initial)
    , m_random(random)
{ }

ReconnectBackoff::Milliseconds ReconnectBackoff::next()
{
    const qint64 step = m_step.count();
    const qint64 half = step / 2;
    const qint64 delay = half + qint64(m_random->bounded(quint64(step - half) + 1));
    m_step = std::min(m_step * 2, m_maximum);
    return Milliseconds(delay);
}

void ReconnectBackoff::reset()
{
    m_step = m_initial;
}

} // namespace DNotifier::Console
