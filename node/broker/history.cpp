#include "history.h"

#include <QRandomGenerator>

namespace DNotifier::Broker {

HistoryStream::HistoryStream(QString epoch)
    : m_epoch(std::move(epoch))
{ }

quint64 HistoryStream::append(Publication publication, int maxSize)
{
    publication.offset = ++m_top;
    m_lastAppendMs = qMax(m_lastAppendMs, publication.createdMs);
    m_publications.push_back(std::move(publication));
    while (qsizetype(m_publications.size()) > qsizetype(qMax(maxSize, 0))) {
        m_publications.pop_front();
    }
    return m_top;
}

bool HistoryStream::appendAt(Publication publication, int maxSize)
{
    if (publication.offset <= m_top) {
        return false;
    }
    if (publication.offset != m_top + 1) {
        m_publications.clear();
    }
    m_top = publication.offset - 1;
    append(std::move(publication), maxSize);
    return true;
}

void HistoryStream::expire(qint64 nowMs, qint64 ttlMs)
{
    while (!m_publications.empty() && nowMs - m_publications.front().createdMs > ttlMs) {
        m_publications.pop_front();
    }
}

std::optional<QList<Publication>> HistoryStream::after(const StreamPosition &since) const
{
    if (since.epoch != m_epoch || since.offset > m_top) {
        return std::nullopt;
    }
    if (since.offset == m_top) {
        return QList<Publication>();
    }
    // Offsets in the stream are consecutive, so the oldest one kept tells whether the gap
    // between `since` and the top is complete.
    if (m_publications.empty() || m_publications.front().offset > since.offset + 1) {
        return std::nullopt;
    }
    QList<Publication> missed;
    for (const Publication &publication : m_publications) {
        if (publication.offset > since.offset) {
            missed.append(publication);
        }
    }
    return missed;
}

QList<Publication> HistoryStream::latest(qsizetype limit) const
{
    const qsizetype count = qMin(limit, qsizetype(m_publications.size()));
    QList<Publication> result;
    result.reserve(count);
    for (auto it = m_publications.end() - count; it != m_publications.end(); ++it) {
        result.append(*it);
    }
    return result;
}

QString HistoryStream::newEpoch()
{
    static constexpr char Alphabet[] =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    QString epoch;
    for (int i = 0; i < 8; ++i) {
        epoch += QChar::fromLatin1(Alphabet[QRandomGenerator::global()->bounded(62)]);
    }
    return epoch;
}

} // namespace DNotifier::Broker
