// libFuzzer target: the Pusher HTTP API's request bodies and its `info` query value, checked
// against an app with the default limits, as HttpApi::route does after the signature passed.

#include <node/pusher/apirequests.h>

#include <QByteArray>

#include <cstddef>
#include <cstdint>

using namespace DNotifier;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const Config::AppSettings app;
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    static_cast<void>(Pusher::parseTrigger(input, app));
    static_cast<void>(Pusher::parseBatch(input, app));
    static_cast<void>(Pusher::parseInfo(input));
    return 0;
}
