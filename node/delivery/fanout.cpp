#include "fanout.h"

#include "crossprotocol.h"

#include <QDateTime>

namespace DNotifier::Delivery {

Fanout::Fanout(Broker::Broker &broker, Outlet *outlet)
    : m_broker(broker)
    , m_outlet(outlet)
{ }

Broker::Publication Fanout::publish(const Config::AppSettings &app,
                                    Broker::Publication publication,
                                    Broker::ConnectionId except)
{
    if (m_forwarder) {
        publication.createdMs = QDateTime::currentMSecsSinceEpoch();
        m_forwarder->forward(app.id, publication);
    }
    return deliver(app, std::move(publication), except);
}

void Fanout::deliverFromPeer(const Config::AppSettings &app, Broker::Publication publication)
{
    deliver(app, std::move(publication), 0);
}

Broker::Publication Fanout::deliver(const Config::AppSettings &app,
                                    Broker::Publication publication,
                                    Broker::ConnectionId except)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    publication.createdMs = now;
    const Config::NamespaceSettings *space = app.namespaceOf(publication.channel);
    if (space && space->historySize > 0) {
        publication = m_broker.appendToHistory(app.id, std::move(publication), space->historySize,
                                               qint64(space->historyTtlSeconds) * 1000, now);
    }

    QList<Broker::ConnectionId> pusherRecipients;
    QList<Broker::ConnectionId> centrifugeRecipients;
    const QList<Broker::ConnectionId> recipients =
            m_broker.recipients(app.id, publication.channel, except);
    for (Broker::ConnectionId id : recipients) {
        (Broker::protocolOf(id) == Broker::Protocol::Pusher ? pusherRecipients
                                                            : centrifugeRecipients)
                .append(id);
    }
    if (!pusherRecipients.isEmpty()) {
        send(pusherRecipients, pusherFrame(publication));
    }
    if (!centrifugeRecipients.isEmpty()) {
        const QByteArray push = Centrifuge::Pushes::publication(publication.channel,
                                                                centrifugePublication(publication));
        send(centrifugeRecipients, push);
    }
    return publication;
}

void Fanout::send(const QList<Broker::ConnectionId> &recipients, const QByteArray &frame)
{
    if (!recipients.isEmpty()) {
        m_outlet->send(recipients, QString::fromUtf8(frame));
    }
}

void Fanout::send(Broker::ConnectionId recipient, const QByteArray &frame)
{
    m_outlet->send({recipient}, QString::fromUtf8(frame));
}

} // namespace DNotifier::Delivery
