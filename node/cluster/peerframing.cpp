#include "peerframing.h"

#include <QtEndian>

namespace DNotifier::Cluster {

namespace {

constexpr qsizetype HeaderBytes = 4;

} // namespace

QByteArray framePeerMessage(const QByteArray &payload)
{
    QByteArray frame(HeaderBytes, Qt::Uninitialized);
    qToBigEndian(quint32(payload.size()), frame.data());
    frame.append(payload);
    return frame;
}

bool PeerFrameReader::append(const QByteArray &bytes)
{
    if (m_poisoned) {
        return false;
    }
    // Compact before growing so a long-lived link does not keep every byte it ever read.
    if (m_consumed > 0 && m_consumed >= m_buffer.size() / 2) {
        m_buffer.remove(0, m_consumed);
        m_consumed = 0;
    }
    m_buffer.append(bytes);
    if (m_buffer.size() - m_consumed >= HeaderBytes) {
        const quint32 length = qFromBigEndian<quint32>(m_buffer.constData() + m_consumed);
        if (qsizetype(length) > m_limit) {
            m_poisoned = true;
        }
    }
    return !m_poisoned;
}

std::optional<QByteArray> PeerFrameReader::next()
{
    if (m_poisoned || m_buffer.size() - m_consumed < HeaderBytes) {
        return std::nullopt;
    }
    const quint32 length = qFromBigEndian<quint32>(m_buffer.constData() + m_consumed);
    if (qsizetype(length) > m_limit) {
        m_poisoned = true;
        return std::nullopt;
    }
    if (m_buffer.size() - m_consumed - HeaderBytes < qsizetype(length)) {
        return std::nullopt;
    }
    QByteArray payload = m_buffer.mid(m_consumed + HeaderBytes, length);
    m_consumed += HeaderBytes + qsizetype(length);
    if (m_consumed == m_buffer.size()) {
        m_buffer.clear();
        m_consumed = 0;
    }
    return payload;
}

} // namespace DNotifier::Cluster
