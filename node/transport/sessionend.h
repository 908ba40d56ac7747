#pragma once

// Told when a client session ends (its WebSocket closed by either side or lost), on the
// session's I/O thread. An interface rather than a signal, for the same reason as
// WebSocket::ConnectionListener: no per-connection Qt connection bookkeeping.

#include <node/broker/types.h>

namespace DNotifier::Transport {

class SessionEnd
{
public:
    // The session may be deleted from here on, though not synchronously.
    virtual void sessionEnded(Broker::ConnectionId id) = 0;

protected:
    ~SessionEnd() = default;
};

} // namespace DNotifier::Transport
