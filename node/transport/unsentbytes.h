#pragma once

// How much output a WebSocket has not handed to the network yet. Over TLS the frames leave the
// WebSocket for the TLS socket at once and wait there encrypted, where QWebSocket's own count
// does not see them: the transport under it is asked as well.

#include <QSslSocket>
#include <QTcpSocket>
#include <QWebSocket>

namespace DNotifier::Transport {

inline qint64 unsentBytes(const QWebSocket &socket, const QTcpSocket *transport)
{
    const auto *tls = qobject_cast<const QSslSocket *>(transport);
    return socket.bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
}

} // namespace DNotifier::Transport
