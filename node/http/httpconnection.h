#pragma once

// One HTTP/1.1 client connection on the client port, parsed with Debian's libhttp-parser.
// It reads requests in order (keep-alive and pipelining) and passes on up to 64 before the
// first is answered, so a publisher that pipelines gets its events fanned out together; the
// answers leave in request order whatever order they are finished in. While 64 wait it reads
// no more, so TCP holds the client back. It enforces the header and body limits before
// buffering more, and hands a WebSocket upgrade request over with its stream and the bytes
// that followed the request head. Lives on an I/O thread.

#include "httpmessage.h"

#include <node/transport/bytestream.h>

#include <QObject>
#include <QTimer>

#include <deque>
#include <optional>

#include <http_parser.h>

namespace DNotifier::Http {

struct ConnectionLimits
{
    int maxHeaderBytes = 16 * 1024;
    int maxBodyBytes = 1024 * 1024;
    int firstRequestTimeoutMs = 10'000;
    int keepAliveTimeoutMs = 60'000;
};

class HttpConnection final : public QObject, private Transport::StreamReader
{
    Q_OBJECT

public:
    // Takes the stream.
    HttpConnection(Transport::ByteStream *stream,
                   quint64 id,
                   const ConnectionLimits &limits,
                   QObject *parent);
    ~HttpConnection() override;

    quint64 id() const { return m_id; }

    // The answer to the request with this sequence number (Request::sequence).
    void respond(quint64 sequence, const Response &response);

Q_SIGNALS:
    void requestReceived(quint64 id, const DNotifier::Http::Request &request);
    // A WebSocket upgrade request; `alreadyRead` is what the client sent after its head. The
    // receiver takes the stream and answers the handshake; this connection is finished.
    void upgradeRequested(DNotifier::Transport::ByteStream *stream,
                          const DNotifier::Http::Request &request,
                          const QByteArray &alreadyRead);
    // Once: the connection was handed over, closed or lost. The receiver deletes this object
    // (later: it may be inside one of its calls).
    void finished(quint64 id);

private:
    enum class Mode {
        Head,
        Body,
        // No more requests are read: the connection closes once the answers are written.
        Finishing,
        // Answers written, or the stream handed over: nothing more to do.
        Closing,
    };

    // A request passed on and not yet answered on the wire.
    struct Unanswered
    {
        quint64 sequence = 0;
        bool head = false;
        bool keepAlive = false;
        std::optional<Response> response;
    };

    void streamReadable() override;
    void streamClosed() override;
    void streamDrained() override;
    void streamInputEnded() override;
    // Once the client has ended its input: closes when every request it completed is answered.
    void closeWhenAnswered();
    void readAvailable();
    void parseNext();
    // Room for another request's answer: fewer than 64 unanswered, and the client takes the
    // answers it has.
    bool hasRoom() const;
    // Reads only while there is room.
    void updateReadingPause();
    // Reads and parses again once there is room.
    void resumeWhenRoom();
    QHostAddress peerAddress();
    void finish();
    void parseHead();
    void passOn();
    // Writes the answers at the front of the queue that are finished.
    void writeAnswers();
    void parseBody();
    void handOverUpgrade(qsizetype headBytes);
    QByteArrayView pending() const;
    void consume(qsizetype count);
    static bool isWebSocketUpgrade(const Request &request);
    void fail(int status, const QString &message);
    void restartIdleTimer();

    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    // The fields of a chunked body's trailer section: counted against the header limit, and
    // otherwise ignored, so that nothing sent after the head can pass for a header of it.
    int skipTrailer(size_t length);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);
    static const http_parser_settings &parserSettings();

    void finishHeaders(const http_parser &parser);

    // Null once handed over or closing.
    Transport::ByteStream *m_stream;
    QHostAddress m_peerAddress;
    bool m_readingPaused = false;
    bool m_finished = false;
    quint64 m_id;
    ConnectionLimits m_limits;
    Mode m_mode = Mode::Head;
    http_parser m_parser{};
    // Read but not yet parsed: m_buffer from m_bufferStart on.
    QByteArray m_buffer;
    qsizetype m_bufferStart = 0;
    QByteArray m_url;
    QByteArray m_headerField;
    QByteArray m_headerValue;
    bool m_readingValue = false;
    Request m_request;
    bool m_keepAlive = false;
    bool m_bodyTooLarge = false;
    bool m_headComplete = false;
    qint64 m_trailerBytes = 0;
    bool m_trailersTooLarge = false;
    bool m_servedOne = false;
    std::deque<Unanswered> m_unanswered;
    quint64 m_nextSequence = 0;
    bool m_parsing = false;
    bool m_parseQueued = false;
    bool m_inputEnded = false;
    QTimer m_idleTimer;
};

} // namespace DNotifier::Http
