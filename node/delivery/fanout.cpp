#include "fanout.h"

#include "crossprotocol.h"

#include <common/pusher/channelname.h>

#include <QDateTime>

namespace DNotifier::Delivery {

Fanout::Fanout(Broker::Broker &broker, Outlet *outlet)
    : m_broker(broker)
    , m_outlet(outlet)
{ }

bool Fanout::isSequenced(const Config::AppSettings &app, const QString &channel)
{
    const Config::NamespaceSettings *space = app.namespaceOf(channel);
    return (space && space->historySize > 0) || Pusher::channelType(channel).isCache;
}

Broker::Publication Fanout::publish(const Config::AppSettings &app,
                                    Broker::Publication publication,
                                    Broker::ConnectionId except)
{
    publication.createdMs = QDateTime::currentMSecsSinceEpoch();
    if (m_observer) {
        m_observer->accepted(app.id, publication);
    }
    const bool sequenced = isSequenced(app, publication.channel);
    if (m_forwarder && sequenced && !m_forwarder->sequencesHere()) {
        m_forwarder->sendToSequencer(app.id, publication, except);
        return publication;
    }
    publication = store(app, std::move(publication));
    deliver(app, publication, except);
    if (m_forwarder) {
        m_forwarder->forward(app.id, publication, sequenced, epochOf(app, publication.channel));
    }
    return publication;
}

void Fanout::deliverFromPeer(const Config::AppSettings &app, const Broker::Publication &publication)
{
    deliver(app, publication, 0);
}

Broker::Publication Fanout::sequenceFromPeer(const Config::AppSettings &app,
                                             Broker::Publication publication,
                                             Broker::ConnectionId except)
{
    publication = store(app, std::move(publication));
    deliver(app, publication, except);
    return publication;
}

void Fanout::deliverReplica(const Config::AppSettings &app,
                            const Broker::Publication &publication,
                            const QString &epoch,
                            Broker::ConnectionId except)
{
    const Config::NamespaceSettings *space = app.namespaceOf(publication.channel);
    if (space && space->historySize > 0
        && !m_broker.storeReplica(app.id, publication, epoch, space->historySize,
                                  qint64(space->historyTtlSeconds) * 1000,
                                  QDateTime::currentMSecsSinceEpoch())) {
        // Already here: a sequencer resent what it had sent before it changed.
        return;
    }
    keepIfCached(app, publication);
    deliver(app, publication, except);
}

QString Fanout::epochOf(const Config::AppSettings &app, const QString &channel)
{
    const Config::NamespaceSettings *space = app.namespaceOf(channel);
    if (!space || space->historySize <= 0) {
        return {};
    }
    return m_broker
            .stream(app.id, channel, QDateTime::currentMSecsSinceEpoch(),
                    qint64(space->historyTtlSeconds) * 1000)
            .epoch();
}

void Fanout::keepIfCached(const Config::AppSettings &app, const Broker::Publication &publication)
{
    // As Pusher does, a cache channel keeps the last event published through the HTTP API.
    if (publication.origin == Broker::Origin::Api
        && Pusher::channelType(publication.channel).isCache) {
        m_broker.setCached(app.id, publication);
    }
}

Broker::Publication Fanout::store(const Config::AppSettings &app, Broker::Publication publication)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (publication.createdMs == 0) {
        publication.createdMs = now;
    }
    const Config::NamespaceSettings *space = app.namespaceOf(publication.channel);
    if (space && space->historySize > 0) {
        publication = m_broker.appendToHistory(app.id, std::move(publication), space->historySize,
                                               qint64(space->historyTtlSeconds) * 1000, now);
    }
    keepIfCached(app, publication);
    return publication;
}

void Fanout::deliver(const Config::AppSettings &app,
                     const Broker::Publication &publication,
                     Broker::ConnectionId except)
{
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
}

void Fanout::forwardUserCommand(const UserCommand &command)
{
    if (m_forwarder) {
        m_forwarder->forwardUserCommand(command);
    }
}

void Fanout::announceClient(const QString &appId,
                            const QString &channel,
                            const Broker::PublisherInfo &client,
                            bool present)
{
    if (m_forwarder) {
        m_forwarder->announceClient(appId, channel, client, present);
    }
}

void Fanout::send(const QList<Broker::ConnectionId> &recipients, const QByteArray &frame)
{
    if (!recipients.isEmpty()) {
        m_outlet->send(recipients, frame);
    }
}

void Fanout::send(Broker::ConnectionId recipient, const QByteArray &frame)
{
    m_outlet->send({recipient}, frame);
}

} // namespace DNotifier::Delivery
