#pragma once

// The traffic samples of the last few minutes; the node keeps no history, the console does.
// Samples older than the window (measured from the newest sample, by the node's clock) are
// dropped as new ones arrive. A sample older than the newest one means the console now
// hears another node, whose clock may differ: the history starts over.

#include "trafficsample.h"

#include <QList>
#include <QObject>
#include <QStringList>

#include <chrono>

namespace DNotifier::Console {

class TrafficHistory final : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds DefaultWindow = std::chrono::minutes(10);

    explicit TrafficHistory(QObject *parent = nullptr);

    void setWindow(std::chrono::milliseconds window);

    std::chrono::milliseconds window() const { return m_window; }

    void append(const TrafficSample &sample);
    void clear();

    const QList<TrafficSample> &samples() const { return m_samples; }

    // Every node seen in the samples kept, sorted.
    QStringList nodeIds() const;

Q_SIGNALS:
    void sampleAppended(const DNotifier::Console::TrafficSample &sample);
    void cleared();

private:
    void trim();

    std::chrono::milliseconds m_window = DefaultWindow;
    QList<TrafficSample> m_samples;
};

} // namespace DNotifier::Console
