// libFuzzer target: the node's reader of client WebSocket frames (FrameParser) with hostile
// bytes, fed whole and again in pieces whose sizes the input's first byte picks, so that a
// frame cut at every position is exercised. Both runs must agree on every message and on the
// violation: the parser's answer may not depend on how TCP split the stream.

#include <node/websocket/frameparser.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace DNotifier::WebSocket;

namespace {

constexpr qint64 MaxMessageBytes = 4096;

bool sameMessages(const QList<Message> &a, const QList<Message> &b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].kind != b[i].kind || a[i].payload != b[i].payload
            || a[i].closeCode != b[i].closeCode) {
            return false;
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0) {
        return 0;
    }
    const qsizetype piece = 1 + data[0] % 16;
    const QByteArrayView stream(data + 1, qsizetype(size - 1));

    FrameParser whole(MaxMessageBytes);
    QList<Message> wholeMessages;
    whole.feed(stream, wholeMessages);

    FrameParser pieces(MaxMessageBytes);
    QList<Message> pieceMessages;
    for (qsizetype at = 0; at < stream.size(); at += piece) {
        pieces.feed(stream.sliced(at, qMin(piece, stream.size() - at)), pieceMessages);
    }

    const bool sameViolation =
            whole.violation().has_value() == pieces.violation().has_value()
            && (!whole.violation() || whole.violation()->code == pieces.violation()->code);
    if (!sameMessages(wholeMessages, pieceMessages) || !sameViolation) {
        std::abort();
    }
    for (const Message &message : wholeMessages) {
        if (message.kind == Message::Kind::Text && message.payload.size() > MaxMessageBytes) {
            std::abort();
        }
    }
    return 0;
}
