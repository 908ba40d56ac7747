#pragma once

// Closing a WebSocket: the reason that fits a close frame, for client connections and the
// admin channel alike, and the close of a QWebSocket (the admin channel's).

#include <QString>

class QWebSocket;

namespace DNotifier::Transport {

// Close reasons must fit a control frame: at most 123 bytes of valid UTF-8 after the two-byte
// code. Client libraries treat a reason cut inside a character as a failed connection and
// reconnect in a loop, so this cuts on a character boundary.
QString closeReason(const QString &reason);

// Sends the close frame, and aborts the connection if the peer does not answer it within a
// few seconds (a half-open or hostile peer must not keep its socket).
void closeWebSocket(QWebSocket *socket, int code, const QString &reason);

} // namespace DNotifier::Transport
