#pragma once

// Limits every client connection lives under, whatever protocol it speaks, so one client
// can neither grow the node's memory nor flood the broker thread.

#include <QtGlobal>

namespace DNotifier::Transport {

// Output waiting for a client that does not read; past it the client is disconnected.
inline constexpr qint64 MaxOutboundBytes = 4 * 1024 * 1024;
// Frames (Pusher) or commands (Centrifuge) a client may send per second.
inline constexpr int MaxRequestsPerSecond = 100;
// Channels one connection may be subscribed to at once.
inline constexpr int MaxSubscriptionsPerConnection = 1000;

// Counts requests in fixed one-second windows.
class RequestRateLimiter final
{
public:
    // Returns false once more than `MaxRequestsPerSecond` were taken in the current second.
    bool take(qint64 nowMs, int count = 1)
    {
        if (nowMs - m_windowStartMs >= 1000) {
            m_windowStartMs = nowMs;
            m_count = 0;
        }
        m_count += count;
        return m_count <= MaxRequestsPerSecond;
    }

private:
    qint64 m_windowStartMs = 0;
    int m_count = 0;
};

} // namespace DNotifier::Transport
