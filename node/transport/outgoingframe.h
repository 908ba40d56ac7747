#pragma once

// A message as a server puts it on the wire (RFC 6455 5.2: FIN, no mask), built once per
// publication on the broker thread and written as is to every recipient's socket. The bytes
// are implicitly shared, so a fan-out to a thousand connections copies nothing.

#include <QByteArray>
#include <QMetaType>

namespace DNotifier::Transport {

struct OutgoingFrame
{
    // Header and payload.
    QByteArray wire;
    // Payload bytes alone, for the byte counters.
    qsizetype payloadBytes = 0;
};

// One unfragmented frame with this opcode (1 text, 8 close, 10 pong, ...).
QByteArray serverFrame(quint8 opcode, QByteArrayView payload);

OutgoingFrame serverTextFrame(const QByteArray &utf8);

} // namespace DNotifier::Transport
