#pragma once

// A text message as a server puts it on the wire (RFC 6455 5.2: FIN, opcode 1, no mask), built
// once per publication on the broker thread and written as is to every recipient's socket.
// QWebSocket would encode the text and build the frame again for each recipient; the bytes
// are implicitly shared instead, so a fan-out to a thousand connections copies nothing.

#include <QByteArray>
#include <QMetaType>

namespace DNotifier::Transport {

struct OutgoingFrame
{
    // Header and payload.
    QByteArray wire;
    // The UTF-8 payload alone, for a socket that has no transport to write to.
    QByteArray payload;
};

OutgoingFrame serverTextFrame(const QByteArray &utf8);

} // namespace DNotifier::Transport
