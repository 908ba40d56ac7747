// libFuzzer target: HttpConnection, the HTTP/1.1 reader of the client port, with hostile bytes
// fed whole and again in pieces whose sizes the input's first byte picks, through an in-memory
// stream (the compat tests drive the real socket path). Every other request is answered on a
// later loop turn, so pipelining, the pause at 64 unanswered requests and the in-order answer
// queue all run; an upgrade is taken and closed as the worker would, and the input ends with
// the client's FIN. Both runs must pass on the same requests: what the node reads may not
// depend on how TCP split the stream.

#include <node/http/httpconnection.h>

#include <QCoreApplication>
#include <QPointer>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace DNotifier;

namespace {

// A client connection whose bytes come from the fuzzer and whose answers go nowhere.
class MemoryStream final : public Transport::ByteStream
{
public:
    void startReading(Transport::StreamReader *reader) override { m_reader = reader; }

    QByteArray readAll() override { return std::exchange(m_input, {}); }

    void setReadingPaused(bool paused) override { m_paused = paused; }

    QHostAddress peerAddress() const override { return QHostAddress(QHostAddress::LocalHost); }

    void write(const QByteArray &bytes) override { m_written += bytes.size(); }

    qint64 unsent() const override { return 0; }

    void closeGracefully() override
    {
        m_reader = nullptr;
        deleteLater();
    }

    void abort() override
    {
        if (m_reader) {
            m_reader->streamClosed();
        }
    }

    // What the client sends next; reported unless the reader paused.
    void send(QByteArrayView bytes)
    {
        m_input.append(bytes);
        if (m_reader && !m_paused) {
            m_reader->streamReadable();
        }
    }

    void resumeIfWaiting()
    {
        if (m_reader && !m_paused && !m_input.isEmpty()) {
            m_reader->streamReadable();
        }
    }

    void endInput()
    {
        if (m_reader) {
            m_reader->streamInputEnded();
        }
    }

private:
    QByteArray m_input;
    bool m_paused = false;
    qint64 m_written = 0;
};

struct Passed
{
    QList<QByteArray> requests;
    bool upgraded = false;
};

void settle()
{
    // Enough turns for every queued answer and parse; each turn does at least one of them.
    for (int turn = 0; turn < 200; ++turn) {
        QCoreApplication::sendPostedEvents();
    }
}

Passed run(QByteArrayView input, qsizetype piece)
{
    Passed passed;
    auto *stream = new MemoryStream;
    QPointer<MemoryStream> alive(stream);
    Http::ConnectionLimits limits;
    limits.maxBodyBytes = 4096;
    auto *connection = new Http::HttpConnection(stream, 1, limits, nullptr);
    QObject::connect(connection, &Http::HttpConnection::requestReceived, connection,
                     [&passed, connection](quint64, const Http::Request &request) {
                         passed.requests.append(request.method + ' ' + request.rawPath + ' '
                                                + request.body);
                         const quint64 sequence = request.sequence;
                         const Http::Response answer = Http::Response::json(200, "{}");
                         if (sequence % 2 == 0) {
                             connection->respond(sequence, answer);
                         } else {
                             QMetaObject::invokeMethod(
                                     connection,
                                     [connection, sequence, answer] {
                                         connection->respond(sequence, answer);
                                     },
                                     Qt::QueuedConnection);
                         }
                     });
    QObject::connect(connection, &Http::HttpConnection::upgradeRequested, connection,
                     [&passed](Transport::ByteStream *upgraded, const Http::Request &,
                               const QByteArray &) {
                         passed.upgraded = true;
                         upgraded->closeGracefully();
                     });
    for (qsizetype at = 0; at < input.size() && alive; at += piece) {
        stream->send(input.sliced(at, qMin(piece, input.size() - at)));
        settle();
        if (alive) {
            stream->resumeIfWaiting();
        }
    }
    if (alive) {
        stream->endInput();
    }
    settle();
    delete connection;
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return passed;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static int argc = 1;
    static char name[] = "fuzz_http_connection";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv);
    if (size == 0) {
        return 0;
    }
    const qsizetype piece = 1 + data[0];
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const Passed whole = run(input, qMax<qsizetype>(1, input.size()));
    const Passed pieces = run(input, piece);
    if (whole.requests != pieces.requests || whole.upgraded != pieces.upgraded) {
        std::abort();
    }
    return 0;
}
