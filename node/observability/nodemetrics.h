#pragma once

// Counters and gauges the node exposes on /metrics. Written by whichever thread does the
// work and read by the I/O thread that answers the scrape, so every field is atomic and
// relaxed: a scrape needs each number to be current, not a snapshot consistent across them.

#include <QByteArray>
#include <QStringView>

#include <atomic>

namespace DNotifier::Observability {

struct NodeMetrics
{
    // Client traffic: WebSocket text frames and HTTP API requests in, frames out; bytes are
    // UTF-8 payload bytes.
    std::atomic<quint64> clientMessagesReceived{0};
    std::atomic<quint64> clientBytesReceived{0};
    std::atomic<quint64> clientMessagesSent{0};
    std::atomic<quint64> clientBytesSent{0};
    std::atomic<qint64> clientConnections{0};
    // Connections closed because they did not read what the node had for them.
    std::atomic<quint64> slowConsumersClosed{0};

    std::atomic<quint64> peerPublicationsSent{0};
    std::atomic<quint64> peerPublicationsReceived{0};
    std::atomic<quint64> gatewayPublicationsSent{0};
    std::atomic<quint64> peerMessagesReceived{0};
    std::atomic<qint64> clusterMembersAlive{0};
    std::atomic<qint64> clusterMembersSuspect{0};
    std::atomic<qint64> peerLinks{0};
    std::atomic<qint64> regionGateway{0};
    std::atomic<quint64> clusterMembersDeclaredDead{0};
    // For /readyz: set once SIGTERM or the admin channel's drain began.
    std::atomic<qint64> draining{0};
    // For /readyz: set once the node linked with a peer, or when it has none to find (see
    // ClusterNode::start).
    std::atomic<qint64> clusterSynced{0};
};

// One client message in (a WebSocket text frame or an HTTP API request) of `bytes` payload
// bytes; `metrics` may be null (tests).
inline void countClientMessage(NodeMetrics *metrics, qsizetype bytes)
{
    if (metrics) {
        metrics->clientMessagesReceived.fetch_add(1, std::memory_order_relaxed);
        metrics->clientBytesReceived.fetch_add(quint64(bytes), std::memory_order_relaxed);
    }
}

// The length of the text in UTF-8, without encoding it.
qsizetype utf8Length(QStringView text);

// The Prometheus text exposition of the metrics, with the build-info gauge.
QByteArray renderMetrics(const NodeMetrics &metrics);

} // namespace DNotifier::Observability
