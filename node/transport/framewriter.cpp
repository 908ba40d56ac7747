#include "framewriter.h"

#include "unsentbytes.h"

namespace DNotifier::Transport {

WriteOutcome writeFrame(QWebSocket &socket,
                        QTcpSocket *transport,
                        const OutgoingFrame &frame,
                        qint64 maxUnsent,
                        Observability::NodeMetrics *metrics)
{
    if (socket.state() != QAbstractSocket::ConnectedState) {
        return {};
    }
    if (transport) {
        transport->write(frame.wire);
    } else {
        socket.sendTextMessage(QString::fromUtf8(frame.payload));
    }
    if (metrics) {
        metrics->clientMessagesSent.fetch_add(1, std::memory_order_relaxed);
        metrics->clientBytesSent.fetch_add(quint64(frame.payload.size()),
                                           std::memory_order_relaxed);
    }
    WriteOutcome outcome;
    outcome.unsent = unsentBytes(socket, transport);
    outcome.overLimit = outcome.unsent > maxUnsent;
    if (outcome.overLimit && metrics) {
        metrics->slowConsumersClosed.fetch_add(1, std::memory_order_relaxed);
    }
    return outcome;
}

} // namespace DNotifier::Transport
