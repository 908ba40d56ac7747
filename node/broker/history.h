#pragma once

// The recent publications of one channel: a bounded stream with rising offsets and an epoch
// that changes whenever the stream's past is lost (a new stream, a restarted node). A client
// that knows an epoch and an offset learns exactly what it missed, or that it cannot.

#include "types.h"

#include <deque>
#include <optional>

namespace DNotifier::Broker {

struct StreamPosition
{
    quint64 offset = 0;
    QString epoch;
};

class HistoryStream final
{
public:
    explicit HistoryStream(QString epoch);

    const QString &epoch() const { return m_epoch; }

    quint64 top() const { return m_top; }

    // When the last publication was appended, 0 when none was.
    qint64 lastAppendMs() const { return m_lastAppendMs; }

    StreamPosition position() const { return {m_top, m_epoch}; }

    bool isEmpty() const { return m_publications.empty(); }

    qsizetype size() const { return qsizetype(m_publications.size()); }

    // Stores the publication under the next offset, dropping the oldest beyond maxSize.
    quint64 append(Publication publication, int maxSize);
    // Stores a publication that already has its offset (a copy of another node's stream).
    // Returns false for an offset at or below the top, which the stream already covers; an
    // offset beyond the next one forgets everything before it, so the stream never claims to
    // reach back across a gap.
    bool appendAt(Publication publication, int maxSize);
    // Drops publications older than the time to live.
    void expire(qint64 nowMs, qint64 ttlMs);

    // Everything after `since`, oldest first, when nothing in between is lost; nullopt when
    // the epoch differs or the stream no longer reaches back that far.
    std::optional<QList<Publication>> after(const StreamPosition &since) const;
    // The newest `limit` publications, oldest first.
    QList<Publication> latest(qsizetype limit) const;

    static QString newEpoch();

private:
    QString m_epoch;
    quint64 m_top = 0;
    qint64 m_lastAppendMs = 0;
    std::deque<Publication> m_publications;
};

} // namespace DNotifier::Broker
