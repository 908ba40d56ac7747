#include "handshake.h"

#include <common/crypto/digest.h>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::WebSocket {

namespace {

// The GUID every server appends to the client's key (RFC 6455, section 1.3).
constexpr QByteArrayView HandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool hasToken(const QByteArray &header, QByteArrayView token)
{
    for (const QByteArray &part : header.split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

} // namespace

QByteArray acceptKey(const QByteArray &clientKey)
{
    return Crypto::sha1(clientKey + HandshakeGuid.toByteArray()).toBase64();
}

Result<QByteArray> upgradeResponse(const Http::Request &request)
{
    if (request.method != "GET") {
        return Error{400, u"A WebSocket upgrade must be a GET request"_s};
    }
    if (!hasToken(request.header("Upgrade"), "websocket")
        || !hasToken(request.header("Connection"), "upgrade")) {
        return Error{400, u"Missing Upgrade: websocket or Connection: Upgrade"_s};
    }
    if (request.header("Sec-WebSocket-Version").trimmed() != "13") {
        return Error{426, u"Unsupported WebSocket version: only 13 is spoken"_s};
    }
    const QByteArray key = request.header("Sec-WebSocket-Key").trimmed();
    if (QByteArray::fromBase64(key).size() != 16) {
        return Error{400, u"Sec-WebSocket-Key must be 16 bytes in base64"_s};
    }
    QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: ";
    response += acceptKey(key);
    response += "\r\n\r\n";
    return response;
}

} // namespace DNotifier::WebSocket
