// libFuzzer target: a WebSocket text frame from a Pusher client, as Pusher::Session hands it to
// parseClientFrame, followed by what a client event's data goes through: re-serialisation, or
// forwarding byte for byte, which must hand on one well-formed JSON value.

#include "rawjsoncheck.h"

#include <node/pusher/frames.h>

#include <QByteArray>

#include <cstddef>
#include <cstdint>

using namespace DNotifier;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // A copy, not fromRawData: the session passes an owning, NUL-terminated QByteArray.
    const QByteArray text(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const Result<Pusher::ClientFrame> frame = Pusher::parseClientFrame(text);
    if (frame) {
        static_cast<void>(Pusher::compactJson(frame->data));
        if (!frame->rawData.isEmpty()) {
            Fuzz::requireOneJsonValue(frame->rawData);
        }
    }
    return 0;
}
