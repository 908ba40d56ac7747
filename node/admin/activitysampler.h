#pragma once

// This node's activity per second, for the admin channel's traffic and channel rates: the
// client traffic counters of NodeMetrics turned into rates, and the publications accepted on
// this node counted per channel. Lives on the broker thread.

#include <node/observability/nodemetrics.h>

#include <QHash>
#include <QList>
#include <QString>

namespace DNotifier::Admin {

struct TrafficRates
{
    qint64 connections = 0;
    qint64 messagesIn = 0;
    qint64 messagesOut = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
};

struct ChannelRate
{
    QString appId;
    QString channel;
    qint64 perSecond = 0;
};

class ActivitySampler final
{
public:
    explicit ActivitySampler(const Observability::NodeMetrics &metrics);

    void countPublication(const QString &appId, const QString &channel);
    // Turns what was counted since the last call into rates per second.
    void sample(qint64 nowMs);

    const TrafficRates &traffic() const { return m_traffic; }

    // The channels with the most publications in the last sample, busiest first.
    QList<ChannelRate> busiestChannels(qsizetype count) const;

private:
    struct Totals
    {
        quint64 messagesIn = 0;
        quint64 messagesOut = 0;
        quint64 bytesIn = 0;
        quint64 bytesOut = 0;
    };

    const Observability::NodeMetrics &m_metrics;
    Totals m_last;
    qint64 m_lastSampleMs = 0;
    TrafficRates m_traffic;
    // By app id and channel: a pair shares both strings, where a joined key would allocate on
    // every publication.
    QHash<QPair<QString, QString>, qint64> m_counting;
    QList<ChannelRate> m_channelRates;
};

} // namespace DNotifier::Admin
