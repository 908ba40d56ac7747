#pragma once

// One HTTP/1.1 client connection on the client port, parsed with Debian's libhttp-parser.
// It reads requests one at a time (keep-alive and pipelining), enforces the header and body
// limits before buffering more, and hands a WebSocket upgrade request over untouched: the
// upgrade bytes stay in the socket for QWebSocketServer to read. Lives on an I/O thread.

#include "httpmessage.h"

#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <http_parser.h>

namespace DNotifier::Http {

struct ConnectionLimits
{
    int maxHeaderBytes = 16 * 1024;
    int maxBodyBytes = 1024 * 1024;
    int firstRequestTimeoutMs = 10'000;
    int keepAliveTimeoutMs = 60'000;
};

class HttpConnection final : public QObject
{
    Q_OBJECT

public:
    HttpConnection(QTcpSocket *socket, quint64 id, const ConnectionLimits &limits, QObject *parent);

    quint64 id() const { return m_id; }

    void respond(const Response &response);

Q_SIGNALS:
    void requestReceived(quint64 id, const DNotifier::Http::Request &request);
    // The receiver takes the socket; this object deletes itself afterwards.
    void upgradeRequested(QTcpSocket *socket);
    void finished(quint64 id);

private:
    enum class Mode {
        Head,
        Body,
        AwaitingResponse,
        Closing,
    };

    void readAvailable();
    void parseHead();
    void parseBody();
    void handOverUpgrade();
    QByteArrayView pending() const;
    void consume(qsizetype count);
    static bool isWebSocketUpgrade(const Request &request);
    void closeAfterWrite();
    void fail(int status, const QString &message);
    void restartIdleTimer();

    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);
    static const http_parser_settings &parserSettings();

    void finishHeaders(const http_parser &parser);

    QPointer<QTcpSocket> m_socket;
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
    bool m_servedOne = false;
    QTimer m_idleTimer;
    QTimer m_drainTimer;
    qint64 m_drained = 0;
    bool m_shutDown = false;
};

} // namespace DNotifier::Http
