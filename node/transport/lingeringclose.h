#pragma once

// Ends a TCP connection whose peer may still be sending. Closing a socket with unread input
// makes the kernel answer with a reset, which can destroy the last answer (a close frame, a
// 413) before the client reads it. So: finish writing, shut down the sending side, read and
// discard until the client closes, and abort after a few seconds or too many discarded bytes.

#include <QtGlobal>

class QTcpSocket;

namespace DNotifier::Transport {

// A client that reads nothing gets the same few seconds as one that keeps sending.
constexpr int LingerMs = 5000;
constexpr qint64 MaxDiscardedBytes = 64 * 1024 * 1024;

// Starts the close; the socket ends as disconnected (or aborted) some time later.
void lingeringClose(QTcpSocket *socket);

} // namespace DNotifier::Transport
