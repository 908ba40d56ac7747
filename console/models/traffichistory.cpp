#include "traffichistory.h"

#include <algorithm>

namespace DNotifier::Console {

TrafficHistory::TrafficHistory(QObject *parent)
    : QObject(parent)
{ }

void TrafficHistory::setWindow(std::chrono::milliseconds window)
{
    m_window = window;
    trim();
}

void TrafficHistory::append(const TrafficSample &sample)
{
    if (!m_samples.isEmpty() && sample.at < m_samples.constLast().at) {
        clear();
    }
    m_samples.append(sample);
    trim();
    Q_EMIT sampleAppended(sample);
}

void TrafficHistory::clear()
{
    m_samples.clear();
    Q_EMIT cleared();
}

void TrafficHistory::trim()
{
    if (m_samples.isEmpty()) {
        return;
    }
    const qint64 oldestKept = m_samples.constLast().at - m_window.count();
    const auto firstKept = std::find_if(m_samples.cbegin(), m_samples.cend(),
                                        [oldestKept](const TrafficSample &sample) {
                                            return sample.at >= oldestKept;
                                        });
    m_samples.erase(m_samples.cbegin(), firstKept);
}

QStringList TrafficHistory::nodeIds() const
{
    QStringList ids;
    for (const TrafficSample &sample : m_samples) {
        for (auto it = sample.nodes.cbegin(); it != sample.nodes.cend(); ++it) {
            if (!ids.contains(it.key())) {
                ids.append(it.key());
            }
        }
    }
    ids.sort();
    return ids;
}

} // namespace DNotifier::Console
