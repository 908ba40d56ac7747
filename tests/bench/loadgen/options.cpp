#include "options.h"

#include <cerrno>
#include <cstdlib>
#include <string_view>

namespace DNotifier::Bench {

namespace {

bool readCount(const char *text, std::size_t &value)
{
    char *end = nullptr;
    errno = 0;
    const unsigned long long parsed = std::strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
        return false;
    }
    value = static_cast<std::size_t>(parsed);
    return true;
}

bool readSeconds(const char *text, double &value)
{
    char *end = nullptr;
    errno = 0;
    value = std::strtod(text, &end);
    return errno == 0 && end != text && *end == '\0' && value >= 0;
}

// Applies one "--name value" pair; false when the name is unknown or the value unusable.
bool applyValue(Options &options, std::string_view name, const char *value)
{
    std::size_t count = 0;
    if (name == "--protocol") {
        const std::string_view protocol = value;
        options.target.protocol = protocol == "nats" ? Protocol::Nats : Protocol::Pusher;
        return protocol == "nats" || protocol == "pusher";
    }
    if (name == "--host") {
        options.target.endpoint.host = value;
        return true;
    }
    if (name == "--port" || name == "--publish-port") {
        const bool ok = readCount(value, count) && count > 0 && count < 65536;
        (name == "--port" ? options.target.endpoint.port : options.publishPort) =
                static_cast<std::uint16_t>(count);
        return ok;
    }
    if (name == "--rate") {
        return readSeconds(value, options.rate) && options.rate > 0;
    }
    if (name == "--app-id" || name == "--app-key" || name == "--app-secret") {
        std::string &field = name == "--app-id"    ? options.target.app.id
                             : name == "--app-key" ? options.target.app.key
                                                   : options.target.app.secret;
        field = value;
        return !field.empty();
    }
    if (name == "--source-addresses") {
        const bool ok = readCount(value, count) && count < 250;
        options.target.endpoint.sourceAddresses = static_cast<unsigned>(count);
        return ok;
    }
    if (name == "--server-pid") {
        const bool ok = readCount(value, count) && count > 0;
        options.serverPid = static_cast<int>(count);
        return ok;
    }
    if (name == "--timeout") {
        return readSeconds(value, options.timeoutSeconds);
    }
    if (name == "--duration") {
        return readSeconds(value, options.durationSeconds) && options.durationSeconds > 0;
    }
    if (name == "--warmup") {
        return readSeconds(value, options.warmupSeconds);
    }
    if (name == "--stall-seconds") {
        return readSeconds(value, options.stallSeconds);
    }
    if (name == "--channel") {
        options.channel = value;
        return !options.channel.empty();
    }
    if (name == "--event") {
        options.eventName = value;
        return !options.eventName.empty();
    }
    std::size_t *target = name == "--concurrency"   ? &options.concurrency
                          : name == "--subscribers" ? &options.subscribers
                          : name == "--size"        ? &options.messageBytes
                          : name == "--window"      ? &options.window
                          : name == "--batch"       ? &options.batch
                          : name == "--connections" ? &options.connections
                          : name == "--first-index" ? &options.firstIndex
                          : name == "--channels"    ? &options.channels
                          : name == "--publishers"  ? &options.publishers
                                                    : nullptr;
    if (target == nullptr || !readCount(value, *target)) {
        return false;
    }
    return name == "--first-index" || *target > 0;
}

} // namespace

std::string usage()
{
    return "usage: dnotifier-loadgen WORKLOAD --protocol pusher|nats --port N [options]\n"
           "WORKLOAD: fanout, connections, latency, channels or http\n"
           "\n"
           "common:\n"
           "  --host ADDR            server address (127.0.0.1)\n"
           "  --app-id ID --app-key KEY --app-secret SECRET   Pusher app (pusher only)\n"
           "  --server-pid PID       read the server's CPU time and VmRSS from /proc\n"
           "  --concurrency N        connections handshaking at once (256)\n"
           "  --timeout SECONDS      give up connecting after this long (120)\n"
           "  --source-addresses N   spread connections over 127.0.0.1..127.0.0.N (16; 0: let\n"
           "                         the kernel pick, which slows connect() past ~10,000)\n"
           "fanout: 1 publisher, 1 channel, N subscribers\n"
           "  --subscribers N (1000)  --duration SECONDS (10)  --warmup SECONDS (1)\n"
           "  --size BYTES (100)      --window N: messages in flight per subscriber (256)\n"
           "  --batch N: messages queued per loop turn at most (64)\n"
           "  --channel NAME (bench-fanout)  --event NAME (bench)\n"
           "  --stall: one subscriber stops reading after the warm-up (never closes); the\n"
           "  figures are those of the others, stall_* lines say what became of it\n"
           "  --stall-seconds S: past the window, publish on (outside the figures) until the\n"
           "  server lets the stalled one go or S seconds after the stall (0: no longer)\n"
           "connections: N idle subscribed connections\n"
           "  --connections N (5000)  --first-index I: channels are idle-I, idle-I+1, ... (0)\n"
           "  --shared-channel: all subscribe to \"idle\"  --hold: keep them until SIGTERM\n"
           "latency: publish-to-deliver latency at a fixed rate paced by a timer\n"
           "  --subscribers N (1)  --rate PER_SECOND (1000)  --duration, --warmup, --size as\n"
           "  fanout  --publish-port N: publish to another node (default: --port)\n"
           "channels: the same over many channels, publications spread evenly over them\n"
           "  --channels N (1000)  --subscribers N per channel (10)  --rate (10000)\n"
           "  --channel PREFIX (bench-ch): channels PREFIX-0 .. PREFIX-(N-1)\n"
           "http: publications answered per second, 1 subscriber; NATS: PUB answered with +OK\n"
           "  --publishers N: connections (4)  --window N: in flight per connection (64)\n"
           "  --channel NAME (bench-http)  --duration, --warmup, --size as fanout\n"
           "\n"
           "Results are printed as RESULT name=value lines; READY when the connections stand.\n";
}

std::optional<Options> parseOptions(int argc, char **argv, std::string &error)
{
    if (argc < 2) {
        error = "name a workload";
        return std::nullopt;
    }
    Options options;
    options.target.endpoint.sourceAddresses = 16;
    const std::string_view workload = argv[1];
    if (workload == "fanout") {
        options.workload = Workload::Fanout;
    } else if (workload == "connections") {
        options.workload = Workload::Connections;
    } else if (workload == "latency") {
        options.workload = Workload::Latency;
        options.subscribers = 1;
        options.channel = "bench-latency";
    } else if (workload == "channels") {
        options.workload = Workload::Channels;
        options.channels = 1000;
        options.subscribers = 10;
        options.rate = 10000;
        options.channel = "bench-ch";
    } else if (workload == "http") {
        options.workload = Workload::Http;
        options.subscribers = 1;
        options.window = 64;
        options.channel = "bench-http";
    } else {
        error = "unknown workload \"" + std::string(workload) + "\"";
        return std::nullopt;
    }
    for (int i = 2; i < argc; ++i) {
        const std::string_view name = argv[i];
        if (name == "--shared-channel" || name == "--hold" || name == "--stall") {
            (name == "--hold"    ? options.hold
             : name == "--stall" ? options.stall
                                 : options.sharedChannel) = true;
            continue;
        }
        if (i + 1 >= argc || !applyValue(options, name, argv[i + 1])) {
            error = "bad or unknown option ";
            error.append(name);
            if (i + 1 < argc) {
                error.append(" ").append(argv[i + 1]);
            }
            return std::nullopt;
        }
        ++i;
    }
    if (options.target.endpoint.port == 0) {
        error = "--port is required";
        return std::nullopt;
    }
    const PusherApp &app = options.target.app;
    const bool publishes = options.workload != Workload::Connections;
    if (options.target.protocol == Protocol::Pusher
        && (app.key.empty() || (publishes && (app.id.empty() || app.secret.empty())))) {
        error = "pusher needs --app-key (and --app-id, --app-secret to publish)";
        return std::nullopt;
    }
    return options;
}

} // namespace DNotifier::Bench
