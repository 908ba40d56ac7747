#pragma once

// The stream a freshly accepted client connection is served on, from its HTTP request on.

#include "bytestream.h"

#include <QSslConfiguration>

#include <optional>

namespace DNotifier::Transport {

class SocketBudget;

// Takes the descriptor and one share of `budget`. A plain connection on a thread with the epoll
// dispatcher gets a DescriptorStream; TLS (`tls` set), or a thread without that dispatcher, a
// Qt socket that starts its server handshake at once. Null, with the descriptor closed and the
// share given back, when the descriptor cannot be used.
ByteStream *acceptedStream(int fd,
                           const std::optional<QSslConfiguration> &tls,
                           SocketBudget *budget);

} // namespace DNotifier::Transport
