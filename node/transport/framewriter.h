#pragma once

// Writes one outgoing frame to a client's WebSocket, whichever protocol the client speaks, and
// counts it: straight to the socket under the WebSocket (the frame is complete, and QWebSocket
// writes its own pings and close frames between whole frames), nothing after a close frame.

#include <node/observability/nodemetrics.h>
#include <node/transport/outgoingframe.h>

#include <QTcpSocket>
#include <QWebSocket>

namespace DNotifier::Transport {

struct WriteOutcome
{
    // Output the connection holds unsent after the write.
    qint64 unsent = 0;
    // Past `maxUnsent`: the caller closes the connection as a slow consumer (already counted).
    bool overLimit = false;
};

WriteOutcome writeFrame(QWebSocket &socket,
                        QTcpSocket *transport,
                        const OutgoingFrame &frame,
                        qint64 maxUnsent,
                        Observability::NodeMetrics *metrics);

} // namespace DNotifier::Transport
