#pragma once

// Limits every client connection lives under, whatever protocol it speaks, so one client
// can neither grow the node's memory nor flood the broker thread. Each app sets its own
// (max_outbound_bytes, max_messages_per_second, max_subscriptions_per_connection); these are
// for the connections no app setting covers, the admin channel's.

#include <QtGlobal>

namespace DNotifier::Transport {

// Output waiting for a connection that does not read; past it the connection is closed.
inline constexpr qint64 MaxOutboundBytes = 4 * 1024 * 1024;

// Counts requests in fixed one-second windows.
class RequestRateLimiter final
{
public:
    // Returns false once more than `perSecond` were taken in the current second.
    bool take(qint64 nowMs, int perSecond, int count = 1)
    {
        if (nowMs - m_windowStartMs >= 1000) {
            m_windowStartMs = nowMs;
            m_count = 0;
        }
        m_count += count;
        return m_count <= perSecond;
    }

private:
    qint64 m_windowStartMs = 0;
    int m_count = 0;
};

} // namespace DNotifier::Transport
