#include "websocketclose.h"

#include <QTimer>
#include <QWebSocket>

namespace DNotifier::Transport {

namespace {

constexpr qsizetype MaxReasonBytes = 123;
constexpr int CloseReplyTimeoutMs = 5000;

} // namespace

QString closeReason(const QString &reason)
{
    qsizetype bytes = 0;
    qsizetype end = 0;
    while (end < reason.size()) {
        const bool pair = reason.at(end).isHighSurrogate() && end + 1 < reason.size();
        const char32_t code = pair ? QChar::surrogateToUcs4(reason.at(end), reason.at(end + 1))
                                   : reason.at(end).unicode();
        const qsizetype width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
        if (bytes + width > MaxReasonBytes) {
            break;
        }
        bytes += width;
        end += pair ? 2 : 1;
    }
    return reason.left(end);
}

void closeWebSocket(QWebSocket *socket, int code, const QString &reason)
{
    socket->close(QWebSocketProtocol::CloseCode(code), closeReason(reason));
    QTimer::singleShot(CloseReplyTimeoutMs, socket, [socket] { socket->abort(); });
}

} // namespace DNotifier::Transport
