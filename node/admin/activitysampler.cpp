#include "activitysampler.h"

#include <algorithm>

namespace DNotifier::Admin {

namespace {

qint64 perSecond(quint64 now, quint64 before, qint64 elapsedMs)
{
    return elapsedMs > 0 ? qint64((now - before) * 1000 / quint64(elapsedMs)) : 0;
}

} // namespace

ActivitySampler::ActivitySampler(const Observability::NodeMetrics &metrics)
    : m_metrics(metrics)
{ }

void ActivitySampler::countPublication(const QString &appId, const QString &channel)
{
    ++m_counting[qMakePair(appId, channel)];
}

void ActivitySampler::sample(qint64 nowMs)
{
    const Totals now{m_metrics.clientMessagesReceived.load(std::memory_order_relaxed),
                     m_metrics.clientMessagesSent.load(std::memory_order_relaxed),
                     m_metrics.clientBytesReceived.load(std::memory_order_relaxed),
                     m_metrics.clientBytesSent.load(std::memory_order_relaxed)};
    const qint64 elapsedMs = m_lastSampleMs == 0 ? 0 : nowMs - m_lastSampleMs;
    m_traffic.connections = m_metrics.clientConnections.load(std::memory_order_relaxed);
    m_traffic.messagesIn = perSecond(now.messagesIn, m_last.messagesIn, elapsedMs);
    m_traffic.messagesOut = perSecond(now.messagesOut, m_last.messagesOut, elapsedMs);
    m_traffic.bytesIn = perSecond(now.bytesIn, m_last.bytesIn, elapsedMs);
    m_traffic.bytesOut = perSecond(now.bytesOut, m_last.bytesOut, elapsedMs);

    m_channelRates.clear();
    for (auto it = m_counting.cbegin(); it != m_counting.cend(); ++it) {
        const qint64 rate =
                elapsedMs > 0 ? (it.value() * 1000 + elapsedMs / 2) / elapsedMs : it.value();
        m_channelRates.append({it.key().first, it.key().second, rate});
    }
    std::sort(m_channelRates.begin(), m_channelRates.end(),
              [](const ChannelRate &a, const ChannelRate &b) { return a.perSecond > b.perSecond; });
    m_counting.clear();
    m_last = now;
    m_lastSampleMs = nowMs;
}

QList<ChannelRate> ActivitySampler::busiestChannels(qsizetype count) const
{
    return m_channelRates.mid(0, count);
}

} // namespace DNotifier::Admin
