// libFuzzer target: bytes from a peer link. The first byte picks where the rest is cut in two,
// and both parts go to a PeerFrameReader as two reads would, with every frame it hands out
// decoded as PeerLink does; the whole input is also decoded as one payload. Every message that
// decodes must decode again after encoding, or the node could send what its peers refuse, and
// must encode to the same bytes the second time, or a field is lost on the way.

#include <node/cluster/peerframing.h>
#include <node/cluster/peermessages.h>

#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace DNotifier;

namespace {

void requireReencodable(const Cluster::PeerMessage &message)
{
    const QByteArray encoded = Cluster::encodePeerMessage(message);
    const Result<Cluster::PeerMessage> again = Cluster::decodePeerMessage(encoded);
    if (!again) {
        std::fprintf(stderr,
                     "a decoded message (alternative %d) does not decode once encoded: %s\n",
                     int(message.index()), qPrintable(again.error().message));
        std::abort();
    }
    // Decoding loses nothing the encoder writes, so a second round gives the same bytes.
    if (Cluster::encodePeerMessage(*again) != encoded) {
        std::fprintf(stderr, "a message of alternative %d changes in a second round trip\n",
                     int(message.index()));
        std::abort();
    }
}

void decodePayload(const QByteArray &payload)
{
    const Result<Cluster::PeerMessage> message = Cluster::decodePeerMessage(payload);
    if (message) {
        requireReencodable(*message);
    }
}

void readFrames(const QByteArray &stream, qsizetype split)
{
    Cluster::PeerFrameReader reader;
    for (const QByteArray &chunk : {stream.first(split), stream.sliced(split)}) {
        if (!reader.append(chunk)) {
            return;
        }
        while (const std::optional<QByteArray> frame = reader.next()) {
            decodePayload(*frame);
        }
        if (reader.failed()) {
            return;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // A copy, not fromRawData: the link reads into an owning QByteArray.
    const QByteArray input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    if (!input.isEmpty()) {
        const QByteArray stream = input.sliced(1);
        readFrames(stream, static_cast<std::uint8_t>(input.at(0)) % (stream.size() + 1));
    }
    decodePayload(input);
    return 0;
}
