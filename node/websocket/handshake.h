#pragma once

// The server side of the WebSocket opening handshake (RFC 6455, section 4.2) on a request the
// HTTP layer already parsed: the checks, and the 101 answer with its accept key. No
// subprotocol and no extension is ever agreed: clients fall back to plain frames.

#include <common/result.h>
#include <node/http/httpmessage.h>

#include <QByteArray>

namespace DNotifier::WebSocket {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
QByteArray acceptKey(const QByteArray &clientKey);

// The 101 response bytes, or an HTTP error (code = status) saying what is wrong.
Result<QByteArray> upgradeResponse(const Http::Request &request);

} // namespace DNotifier::WebSocket
