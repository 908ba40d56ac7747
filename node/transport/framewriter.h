#pragma once

// Writes one outgoing frame to a client's WebSocket, whichever protocol the client speaks, and
// counts it; tells the caller when the client has stopped taking its output.

#include <node/observability/nodemetrics.h>
#include <node/transport/outgoingframe.h>
#include <node/websocket/connection.h>

namespace DNotifier::Transport {

struct WriteOutcome
{
    // Output the connection holds unsent after the write.
    qint64 unsent = 0;
    // Past `maxUnsent`: the caller closes the connection as a slow consumer (already counted).
    bool overLimit = false;
};

WriteOutcome writeFrame(WebSocket::Connection &socket,
                        const OutgoingFrame &frame,
                        qint64 maxUnsent,
                        Observability::NodeMetrics *metrics);

} // namespace DNotifier::Transport
