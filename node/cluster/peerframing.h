#pragma once

// Peer links carry messages as frames: a 4-byte big-endian length, then that many bytes.
// The reader takes bytes as they arrive and hands out whole frames; a length above the limit
// poisons the stream, since nothing after it can be trusted to be aligned.

#include <QByteArray>
#include <QList>

#include <optional>

namespace DNotifier::Cluster {

// Publications are at most a few megabytes; anything larger is a broken or hostile peer.
inline constexpr qsizetype MaxPeerFrameBytes = 32 * 1024 * 1024;

QByteArray framePeerMessage(const QByteArray &payload);

// Before the handshake a peer is unknown: its frames are a Hello or a Proof of well under a
// kilobyte, so anything larger is refused before it is buffered or decoded.
inline constexpr qsizetype MaxHandshakeFrameBytes = 16 * 1024;

class PeerFrameReader final
{
public:
    explicit PeerFrameReader(qsizetype limit = MaxPeerFrameBytes)
        : m_limit(limit)
    { }

    void setLimit(qsizetype limit) { m_limit = limit; }

    qsizetype limit() const { return m_limit; }

    // Appends the bytes; returns false once a frame announced more than the limit.
    bool append(const QByteArray &bytes);
    // The next complete frame's payload, if one is buffered.
    std::optional<QByteArray> next();

    bool failed() const { return m_poisoned; }

private:
    QByteArray m_buffer;
    qsizetype m_consumed = 0;
    qsizetype m_limit;
    bool m_poisoned = false;
};

} // namespace DNotifier::Cluster
