// libFuzzer target: a WebSocket text frame from a Centrifuge client, as Centrifuge::Session hands
// it to parseFrame, followed by the re-serialisation the raw-JSON fields of a command go through;
// publish data forwarded byte for byte must be one well-formed JSON value.

#include "rawjsoncheck.h"

#include <node/centrifuge/codec.h>

#include <QByteArray>
#include <QLatin1StringView>

#include <cstddef>
#include <cstdint>

using namespace DNotifier;
using namespace Qt::Literals::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // A copy, not fromRawData: the session passes an owning, NUL-terminated QByteArray.
    const QByteArray frame(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const Result<QList<Centrifuge::Command>> commands = Centrifuge::parseFrame(frame);
    if (!commands) {
        return 0;
    }
    for (const Centrifuge::Command &command : *commands) {
        static_cast<void>(Centrifuge::rawJson(command.request.value("data"_L1)));
        static_cast<void>(Centrifuge::rawJson(command.request.value("info"_L1)));
        if (!command.rawData.isEmpty()) {
            Fuzz::requireOneJsonValue(command.rawData);
        }
    }
    return 0;
}
