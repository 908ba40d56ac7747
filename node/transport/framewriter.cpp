#include "framewriter.h"

namespace DNotifier::Transport {

WriteOutcome writeFrame(WebSocket::Connection &socket,
                        const OutgoingFrame &frame,
                        qint64 maxUnsent,
                        Observability::NodeMetrics *metrics)
{
    if (!socket.isOpen()) {
        return {};
    }
    socket.writeFrame(frame.wire);
    if (metrics) {
        metrics->clientMessagesSent.fetch_add(1, std::memory_order_relaxed);
        metrics->clientBytesSent.fetch_add(quint64(frame.payloadBytes), std::memory_order_relaxed);
    }
    WriteOutcome outcome;
    outcome.unsent = socket.unsentBytes();
    outcome.overLimit = outcome.unsent > maxUnsent;
    if (outcome.overLimit && metrics) {
        metrics->slowConsumersClosed.fetch_add(1, std::memory_order_relaxed);
    }
    return outcome;
}

} // namespace DNotifier::Transport
