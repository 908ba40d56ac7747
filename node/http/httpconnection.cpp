#include "httpconnection.h"

#include <node/logging.h>

#include <QUrl>
#include <QUrlQuery>

namespace DNotifier::Http {

using namespace Qt::Literals::StringLiterals;

namespace {

// Requests passed on before the first of them is answered. Enough for a pipelining publisher's
// events to reach the broker together; the bytes of further requests wait in the socket.
constexpr std::size_t MaxUnanswered = 64;
// Answers the client has not taken yet, beyond which no more requests are read: a client that
// pipelines and never reads would otherwise grow its queue of answers without end.
constexpr qint64 MaxUnsentAnswerBytes = 1024 * 1024;

HttpConnection *connectionOf(http_parser *parser)
{
    return static_cast<HttpConnection *>(parser->data);
}

QList<QPair<QByteArray, QByteArray>> decodeQuery(const QByteArray &query)
{
    QList<QPair<QByteArray, QByteArray>> pairs;
    const QUrlQuery parsed(QString::fromUtf8(query));
    const auto items = parsed.queryItems(QUrl::FullyDecoded);
    for (const auto &item : items) {
        pairs.append({item.first.toUtf8(), item.second.toUtf8()});
    }
    return pairs;
}

} // namespace

HttpConnection::HttpConnection(Transport::ByteStream *stream,
                               quint64 id,
                               const ConnectionLimits &limits,
                               QObject *parent)
    : QObject(parent)
    , m_stream(stream)
    , m_id(id)
    , m_limits(limits)
{
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        // A request that stops arriving, head or body, must not hold its socket, nor a client
        // that stops taking its answers; a client waiting for answers is not idle.
        if ((m_mode == Mode::Head || m_mode == Mode::Body) && m_unanswered.empty() && m_stream) {
            qCDebug(lcHttp) << "connection idle, closing"
                            << "conn=" << m_id;
            m_stream->abort();
        }
    });
    restartIdleTimer();
    m_stream->startReading(this);
}

HttpConnection::~HttpConnection()
{
    delete m_stream;
}

void HttpConnection::streamReadable()
{
    if (!m_stream || (m_mode != Mode::Head && m_mode != Mode::Body)) {
        return;
    }
    const QByteArray arrived = m_stream->readAll();
    // A body that keeps arriving keeps its request alive; a head has one timeout in all, so
    // that a client cannot hold a connection by sending it a byte at a time.
    if (m_mode == Mode::Body && !arrived.isEmpty()) {
        restartIdleTimer();
    }
    m_buffer.append(arrived);
    parseNext();
}

void HttpConnection::streamClosed()
{
    finish();
}

void HttpConnection::finish()
{
    if (!std::exchange(m_finished, true)) {
        Q_EMIT finished(m_id);
    }
}

void HttpConnection::respond(quint64 sequence, const Response &response)
{
    const auto it =
            std::find_if(m_unanswered.begin(), m_unanswered.end(),
                         [sequence](const Unanswered &u) { return u.sequence == sequence; });
    if (it == m_unanswered.end() || it->response || !m_stream) {
        return;
    }
    it->response = response;
    writeAnswers();
}

void HttpConnection::writeAnswers()
{
    while (!m_unanswered.empty() && m_unanswered.front().response && m_stream) {
        const Unanswered answered = std::move(m_unanswered.front());
        m_unanswered.pop_front();
        const bool keepAlive = answered.keepAlive && !answered.response->closeAfter;
        m_stream->write(answered.response->serialise(keepAlive, !answered.head));
        if (!keepAlive) {
            m_unanswered.clear();
            m_mode = Mode::Closing;
            m_idleTimer.stop();
            std::exchange(m_stream, nullptr)->closeGracefully();
            finish();
            return;
        }
        m_servedOne = true;
    }
    const bool reading = m_mode == Mode::Head || m_mode == Mode::Body;
    if (!m_stream || !reading) {
        return;
    }
    if (m_unanswered.empty()) {
        restartIdleTimer();
    }
    resumeWhenRoom();
    closeWhenAnswered();
}

bool HttpConnection::hasRoom() const
{
    return m_unanswered.size() < MaxUnanswered && m_stream->unsent() <= MaxUnsentAnswerBytes;
}

void HttpConnection::resumeWhenRoom()
{
    if (!m_stream || (m_mode != Mode::Head && m_mode != Mode::Body)) {
        return;
    }
    updateReadingPause();
    // Requests that arrived while there was no room wait in the buffer, and the stream will not
    // announce them again. Parse them on the next loop turn, so that an answer given at once
    // cannot recurse into the next request.
    if (!m_parsing && !m_parseQueued && hasRoom() && !pending().isEmpty()) {
        m_parseQueued = true;
        QMetaObject::invokeMethod(this, &HttpConnection::readAvailable, Qt::QueuedConnection);
    }
}

void HttpConnection::streamDrained()
{
    resumeWhenRoom();
}

void HttpConnection::streamInputEnded()
{
    // A client may shut down its sending side after its last request and still read the
    // answers (printf ... | nc, or a script that half-closes).
    m_inputEnded = true;
    closeWhenAnswered();
}

void HttpConnection::closeWhenAnswered()
{
    // Requests still buffered are parsed first (a parse is queued); what is left after them is
    // part of a request that can never complete.
    if (!m_inputEnded || !m_stream || !m_unanswered.empty() || m_parseQueued || m_parsing) {
        return;
    }
    m_mode = Mode::Closing;
    m_idleTimer.stop();
    std::exchange(m_stream, nullptr)->closeGracefully();
    finish();
}

void HttpConnection::updateReadingPause()
{
    if (!m_stream) {
        return;
    }
    const bool reading = m_mode == Mode::Head || m_mode == Mode::Body;
    const bool pause = !reading || !hasRoom();
    if (pause != m_readingPaused) {
        m_readingPaused = pause;
        m_stream->setReadingPaused(pause);
        if (reading && m_unanswered.empty()) {
            restartIdleTimer();
        }
    }
}

QHostAddress HttpConnection::peerAddress()
{
    if (m_peerAddress.isNull() && m_stream) {
        m_peerAddress = m_stream->peerAddress();
    }
    return m_peerAddress;
}

void HttpConnection::readAvailable()
{
    m_parseQueued = false;
    if (!m_stream) {
        return;
    }
    switch (m_mode) {
    case Mode::Head:
    case Mode::Body:
        parseNext();
        break;
    case Mode::Finishing:
    case Mode::Closing:
        break;
    }
}

void HttpConnection::parseNext()
{
    m_parsing = true;
    // Every complete request that has arrived, as long as there is room for its answer.
    while (m_stream && hasRoom()) {
        const quint64 before = m_nextSequence;
        if (m_mode == Mode::Head) {
            parseHead();
        } else if (m_mode == Mode::Body) {
            parseBody();
        } else {
            break;
        }
        if (m_nextSequence == before) {
            break;
        }
    }
    m_parsing = false;
    updateReadingPause();
    closeWhenAnswered();
}

void HttpConnection::parseHead()
{
    const QByteArrayView data = pending();
    if (data.isEmpty()) {
        return;
    }
    http_parser probe{};
    http_parser_init(&probe, HTTP_REQUEST);
    probe.data = this;
    const size_t parsed =
            http_parser_execute(&probe, &parserSettings(), data.data(), size_t(data.size()));
    const auto status = HTTP_PARSER_ERRNO(&probe);
    if (status == HPE_OK) {
        if (data.size() > m_limits.maxHeaderBytes) {
            fail(431, u"Request header exceeds %1 bytes"_s.arg(m_limits.maxHeaderBytes));
        }
        return;
    }
    // The parser itself gives up beyond 80 KB of head; ours is the smaller limit either way.
    if (status == HPE_HEADER_OVERFLOW
        || (status == HPE_PAUSED && parsed > size_t(m_limits.maxHeaderBytes))) {
        fail(431, u"Request header exceeds %1 bytes"_s.arg(m_limits.maxHeaderBytes));
        return;
    }
    if (status != HPE_PAUSED) {
        fail(400, u"Malformed HTTP request: %1"_s.arg(QLatin1StringView(http_errno_name(status))));
        return;
    }
    if (probe.upgrade && isWebSocketUpgrade(m_request)) {
        if (!m_unanswered.empty()) {
            fail(400, u"A WebSocket upgrade must wait for the answers to earlier requests"_s);
            return;
        }
        // The parser stops inside the blank line, so the head's end is looked up. The bytes
        // after it are frames, which a lenient reading of line ends could swallow or leave.
        // Empty lines before the request line are allowed (RFC 9112, 2.2) and skipped.
        qsizetype requestStart = 0;
        while (requestStart < data.size()
               && (data[requestStart] == '\r' || data[requestStart] == '\n')) {
            ++requestStart;
        }
        // Only a blank line where the parser stopped ends the head: one further on is in the
        // client's frames, and a head with bare LF line ends is refused.
        const qsizetype headEnd = data.indexOf(QByteArrayView("\r\n\r\n"), requestStart);
        if (headEnd < 0 || headEnd + 4 < qsizetype(parsed) || headEnd + 4 > qsizetype(parsed) + 1) {
            fail(400, u"A WebSocket upgrade request must end its lines with CRLF"_s);
            return;
        }
        handOverUpgrade(headEnd + 4);
        return;
    }
    consume(qsizetype(parsed));
    if (m_bodyTooLarge) {
        fail(413, u"Request body exceeds %1 bytes"_s.arg(m_limits.maxBodyBytes));
        return;
    }
    // Only when nothing is unanswered: an interim answer must not overtake earlier ones.
    if (m_unanswered.empty()
        && m_request.header("Expect").compare("100-continue", Qt::CaseInsensitive) == 0) {
        m_stream->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    m_parser = probe;
    http_parser_pause(&m_parser, 0);
    m_mode = Mode::Body;
    parseBody();
}

void HttpConnection::parseBody()
{
    const QByteArrayView data = pending();
    // The parser takes no bytes as the end of the stream: a body still to come would fail.
    if (data.isEmpty()) {
        return;
    }
    const size_t parsed =
            http_parser_execute(&m_parser, &parserSettings(), data.data(), size_t(data.size()));
    consume(qsizetype(parsed));
    const auto status = HTTP_PARSER_ERRNO(&m_parser);
    if (m_trailersTooLarge) {
        fail(431, u"Request trailers exceed %1 bytes"_s.arg(m_limits.maxHeaderBytes));
        return;
    }
    if (m_bodyTooLarge) {
        fail(413, u"Request body exceeds %1 bytes"_s.arg(m_limits.maxBodyBytes));
        return;
    }
    if (status == HPE_OK) {
        return;
    }
    if (status != HPE_PAUSED) {
        fail(400, u"Malformed HTTP request: %1"_s.arg(QLatin1StringView(http_errno_name(status))));
        return;
    }
    passOn();
}

void HttpConnection::passOn()
{
    m_request.remoteAddress = peerAddress();
    m_request.sequence = m_nextSequence++;
    m_unanswered.push_back({m_request.sequence, m_request.method == "HEAD", m_keepAlive, {}});
    // After a request that closes the connection nothing more is read.
    m_mode = m_keepAlive ? Mode::Head : Mode::Finishing;
    m_idleTimer.stop();
    // May answer at once, and even close the connection.
    Q_EMIT requestReceived(m_id, m_request);
}

QByteArrayView HttpConnection::pending() const
{
    return QByteArrayView(m_buffer).sliced(m_bufferStart);
}

void HttpConnection::consume(qsizetype count)
{
    m_bufferStart += count;
    // Moving the remaining bytes once per request would make pipelining quadratic: compact
    // only when the consumed part dominates.
    if (m_bufferStart >= m_buffer.size()) {
        m_buffer.clear();
        m_bufferStart = 0;
    } else if (m_bufferStart > 64 * 1024 && m_bufferStart > m_buffer.size() / 2) {
        m_buffer.remove(0, m_bufferStart);
        m_bufferStart = 0;
    }
}

bool HttpConnection::isWebSocketUpgrade(const Request &request)
{
    // Other upgrades (h2c from curl --http2, say) are served as plain HTTP/1.1 requests.
    return request.method == "GET" && request.header("Upgrade").toLower().contains("websocket");
}

void HttpConnection::handOverUpgrade(qsizetype headBytes)
{
    m_idleTimer.stop();
    m_request.remoteAddress = peerAddress();
    // What follows the head is the client's first frames.
    const QByteArray alreadyRead = pending().sliced(headBytes).toByteArray();
    m_buffer.clear();
    m_bufferStart = 0;
    m_mode = Mode::Closing;
    Q_EMIT upgradeRequested(std::exchange(m_stream, nullptr), m_request, alreadyRead);
    finish();
}

void HttpConnection::fail(int status, const QString &message)
{
    qCInfo(lcHttp) << "rejecting request"
                   << "conn=" << m_id << "status=" << status << message;
    m_mode = Mode::Finishing;
    Response response = Response::error(status, message);
    response.closeAfter = true;
    m_unanswered.push_back({m_nextSequence++, false, false, response});
    writeAnswers();
}

void HttpConnection::restartIdleTimer()
{
    // A client that leaves its answers unread gets no longer than a first request to take them:
    // it holds their memory until then.
    const bool waitingForTheClient = m_stream && m_stream->unsent() > MaxUnsentAnswerBytes;
    m_idleTimer.start(m_servedOne && !waitingForTheClient ? m_limits.keepAliveTimeoutMs
                                                          : m_limits.firstRequestTimeoutMs);
}

void HttpConnection::finishHeaders(const http_parser &parser)
{
    if (!m_headerField.isEmpty()) {
        m_request.headers.append({m_headerField, m_headerValue});
    }
    m_request.method = http_method_str(http_method(parser.method));
    http_parser_url url{};
    http_parser_url_init(&url);
    if (http_parser_parse_url(m_url.constData(), size_t(m_url.size()), 0, &url) == 0) {
        if (url.field_set & (1 << UF_PATH)) {
            m_request.rawPath = m_url.mid(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len);
        }
        if (url.field_set & (1 << UF_QUERY)) {
            m_request.query = decodeQuery(
                    m_url.mid(url.field_data[UF_QUERY].off, url.field_data[UF_QUERY].len));
        }
    }
    m_request.path = QUrl::fromPercentEncoding(m_request.rawPath);
    m_keepAlive = http_should_keep_alive(&parser) != 0;
    const bool hasLength = parser.content_length != ULLONG_MAX;
    m_bodyTooLarge = hasLength && parser.content_length > quint64(m_limits.maxBodyBytes);
}

int HttpConnection::onMessageBegin(http_parser *parser)
{
    HttpConnection *self = connectionOf(parser);
    self->m_request = Request{};
    self->m_url.clear();
    self->m_headerField.clear();
    self->m_headerValue.clear();
    self->m_readingValue = false;
    self->m_bodyTooLarge = false;
    self->m_headComplete = false;
    self->m_trailerBytes = 0;
    self->m_trailersTooLarge = false;
    return 0;
}

int HttpConnection::onUrl(http_parser *parser, const char *at, size_t length)
{
    connectionOf(parser)->m_url.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    if (self->m_headComplete) {
        return self->skipTrailer(length);
    }
    if (self->m_readingValue) {
        self->m_request.headers.append({self->m_headerField, self->m_headerValue});
        self->m_headerField.clear();
        self->m_headerValue.clear();
        self->m_readingValue = false;
    }
    self->m_headerField.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    if (self->m_headComplete) {
        return self->skipTrailer(length);
    }
    self->m_readingValue = true;
    self->m_headerValue.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::skipTrailer(size_t length)
{
    m_trailerBytes += qint64(length);
    m_trailersTooLarge = m_trailerBytes > m_limits.maxHeaderBytes;
    return m_trailersTooLarge ? 1 : 0;
}

int HttpConnection::onHeadersComplete(http_parser *parser)
{
    HttpConnection *self = connectionOf(parser);
    self->finishHeaders(*parser);
    self->m_headComplete = true;
    http_parser_pause(parser, 1);
    return 0;
}

int HttpConnection::onBody(http_parser *parser, const char *at, size_t length)
{
    HttpConnection *self = connectionOf(parser);
    if (self->m_request.body.size() + qsizetype(length) > self->m_limits.maxBodyBytes) {
        self->m_bodyTooLarge = true;
        return 1;
    }
    self->m_request.body.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onMessageComplete(http_parser *parser)
{
    http_parser_pause(parser, 1);
    return 0;
}

const http_parser_settings &HttpConnection::parserSettings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings s{};
        http_parser_settings_init(&s);
        s.on_message_begin = &HttpConnection::onMessageBegin;
        s.on_url = &HttpConnection::onUrl;
        s.on_header_field = &HttpConnection::onHeaderField;
        s.on_header_value = &HttpConnection::onHeaderValue;
        s.on_headers_complete = &HttpConnection::onHeadersComplete;
        s.on_body = &HttpConnection::onBody;
        s.on_message_complete = &HttpConnection::onMessageComplete;
        return s;
    }();
    return settings;
}

} // namespace DNotifier::Http
