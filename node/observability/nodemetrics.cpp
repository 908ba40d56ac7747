#include "nodemetrics.h"

namespace DNotifier::Observability {

namespace {

void write(QByteArray &out,
           const char *name,
           const char *type,
           const char *help,
           const QByteArray &value)
{
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(' ').append(value).append('\n');
}

QByteArray number(const std::atomic<quint64> &value)
{
    return QByteArray::number(value.load(std::memory_order_relaxed));
}

QByteArray number(const std::atomic<qint64> &value)
{
    return QByteArray::number(value.load(std::memory_order_relaxed));
}

} // namespace

qsizetype utf8Length(QStringView text)
{
    qsizetype length = 0;
    for (const QChar c : text) {
        const char16_t unit = c.unicode();
        // A surrogate pair is two units and four bytes: two for each half.
        length += unit < 0x80 ? 1 : (unit < 0x800 || c.isSurrogate()) ? 2 : 3;
    }
    return length;
}

QByteArray renderMetrics(const NodeMetrics &metrics)
{
    QByteArray out;
    out += "# HELP dnotifier_build_info The running version; always 1.\n"
           "# TYPE dnotifier_build_info gauge\n"
           "dnotifier_build_info{version=\"" DNOTIFIER_VERSION "\"} 1\n";
    write(out, "dnotifier_client_messages_received_total", "counter",
          "WebSocket text frames and HTTP API requests received from clients.",
          number(metrics.clientMessagesReceived));
    write(out, "dnotifier_client_received_bytes_total", "counter",
          "Payload bytes of the client messages received.", number(metrics.clientBytesReceived));
    write(out, "dnotifier_client_messages_sent_total", "counter",
          "Frames delivered to client connections.", number(metrics.clientMessagesSent));
    write(out, "dnotifier_client_sent_bytes_total", "counter",
          "Payload bytes of the frames delivered to clients.", number(metrics.clientBytesSent));
    write(out, "dnotifier_client_connections", "gauge", "Open client WebSocket connections.",
          number(metrics.clientConnections));
    write(out, "dnotifier_client_slow_consumers_closed_total", "counter",
          "Client connections closed because their unsent output passed max_outbound_bytes.",
          number(metrics.slowConsumersClosed));
    write(out, "dnotifier_peer_publications_sent_total", "counter",
          "Publications forwarded to peers, one per interested peer.",
          number(metrics.peerPublicationsSent));
    write(out, "dnotifier_peer_publications_received_total", "counter",
          "Publications received from peers for local subscribers.",
          number(metrics.peerPublicationsReceived));
    write(out, "dnotifier_gateway_publications_sent_total", "counter",
          "Publications this node sent across a region border, one per region.",
          number(metrics.gatewayPublicationsSent));
    write(out, "dnotifier_peer_messages_received_total", "counter",
          "Messages of every kind received over peer links.", number(metrics.peerMessagesReceived));
    write(out, "dnotifier_cluster_members_alive", "gauge",
          "Members this node considers alive, itself included.",
          number(metrics.clusterMembersAlive));
    write(out, "dnotifier_cluster_members_suspect", "gauge",
          "Members this node currently suspects of having failed.",
          number(metrics.clusterMembersSuspect));
    write(out, "dnotifier_cluster_members_declared_dead_total", "counter",
          "Members this node saw declared dead.", number(metrics.clusterMembersDeclaredDead));
    write(out, "dnotifier_peer_links", "gauge", "Established peer links.",
          number(metrics.peerLinks));
    write(out, "dnotifier_draining", "gauge",
          "1 once the node began to drain (SIGTERM or the admin channel), else 0.",
          number(metrics.draining));
    write(out, "dnotifier_cluster_synced", "gauge",
          "1 once the node has linked with its cluster, or found it has none, else 0.",
          number(metrics.clusterSynced));
    write(out, "dnotifier_region_gateway", "gauge",
          "1 while this node is its region's gateway to the other regions, else 0.",
          number(metrics.regionGateway));
    return out;
}

} // namespace DNotifier::Observability
