#include "outgoingframe.h"

namespace DNotifier::Transport {

OutgoingFrame serverTextFrame(const QByteArray &utf8)
{
    const quint64 length = quint64(utf8.size());
    QByteArray wire;
    wire.reserve(utf8.size() + 10);
    wire.append(char(0x81));
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
    wire.append(utf8);
    return {wire, utf8};
}

} // namespace DNotifier::Transport
