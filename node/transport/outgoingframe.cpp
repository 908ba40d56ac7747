#include "outgoingframe.h"

namespace DNotifier::Transport {

QByteArray serverFrame(quint8 opcode, QByteArrayView payload)
{
    const quint64 length = quint64(payload.size());
    QByteArray wire;
    wire.reserve(payload.size() + 10);
    wire.append(char(0x80 | opcode));
    if (length < 126) {
        wire.append(char(length));
    } else if (length <= 0xffff) {
        wire.append(char(126));
        wire.append(char(length >> 8));
        wire.append(char(length & 0xff));
    } else {
        wire.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8) {
            wire.append(char((length >> shift) & 0xff));
        }
    }
    wire.append(payload);
    return wire;
}

OutgoingFrame serverTextFrame(const QByteArray &utf8)
{
    return {serverFrame(0x1, utf8), utf8.size()};
}

} // namespace DNotifier::Transport
