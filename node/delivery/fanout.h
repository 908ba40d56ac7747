#pragma once

// Sends a publication to every subscriber of its channel, whatever protocol each speaks:
// first into the channel's history (and a cache channel's cache), then serialised once per
// protocol and handed to the outlet with the same bytes for every recipient; and to the
// peers through the forwarder. Runs on the broker thread, shared by the protocol hubs.

#include "outlet.h"
#include "peerforwarder.h"

#include <node/broker/broker.h>
#include <node/config/settings.h>

namespace DNotifier::Delivery {

// Told about publications for the admin channel's channel rates and live tails.
class PublicationObserver
{
public:
    virtual ~PublicationObserver() = default;
    // A publication accepted on this node, before it is stored or sent anywhere: each
    // publication is accepted on exactly one node of the cluster.
    virtual void accepted(const QString &appId, const Broker::Publication &publication) = 0;
};

class Fanout final
{
public:
    Fanout(Broker::Broker &broker, Outlet *outlet);

    void setForwarder(PeerForwarder *forwarder) { m_forwarder = forwarder; }

    void setObserver(PublicationObserver *observer) { m_observer = observer; }

    // Whether the channel's publications are ordered by one node per region: it keeps
    // history, or it is a Pusher cache channel.
    static bool isSequenced(const Config::AppSettings &app, const QString &channel);

    // A publication accepted on this node, delivered here and handed to the peers (or, for a
    // sequenced channel this node does not sequence, to the sequencer, which sends it back).
    // Returns the publication as stored, with its history offset when it got one here.
    Broker::Publication publish(const Config::AppSettings &app,
                                Broker::Publication publication,
                                Broker::ConnectionId except = 0);
    // A publication a peer accepted on a channel that is not sequenced: delivered here only.
    void deliverFromPeer(const Config::AppSettings &app, const Broker::Publication &publication);
    // On the sequencer, a publication a peer (or, after a change of sequencer, this node)
    // accepted: stored and delivered here, except to `except`; returned with its offset for
    // the caller to send to the region.
    Broker::Publication sequenceFromPeer(const Config::AppSettings &app,
                                         Broker::Publication publication,
                                         Broker::ConnectionId except);
    // The epoch of the channel's history stream, created when missing; empty for a channel
    // that keeps no history.
    QString epochOf(const Config::AppSettings &app, const QString &channel);
    // A publication the region's sequencer ordered: stored at its offset in the stream of
    // that epoch and delivered, unless this node already had it.
    void deliverReplica(const Config::AppSettings &app,
                        const Broker::Publication &publication,
                        const QString &epoch,
                        Broker::ConnectionId except);

    // Hands a command about a user to the other nodes; the caller carries it out here.
    void forwardUserCommand(const UserCommand &command);
    // Tells the other nodes that a Centrifuge client with presence joined or left a channel.
    void announceClient(const QString &appId,
                        const QString &channel,
                        const Broker::PublisherInfo &client,
                        bool present);

    // The same frame to each connection; used for replies and pushes as well.
    void send(const QList<Broker::ConnectionId> &recipients, const QByteArray &frame);
    void send(Broker::ConnectionId recipient, const QByteArray &frame);

private:
    // Keeps the publication as the channel's history and cache require; returns it with its
    // offset.
    Broker::Publication store(const Config::AppSettings &app, Broker::Publication publication);
    void keepIfCached(const Config::AppSettings &app, const Broker::Publication &publication);
    void deliver(const Config::AppSettings &app,
                 const Broker::Publication &publication,
                 Broker::ConnectionId except);

    Broker::Broker &m_broker;
    Outlet *m_outlet;
    PeerForwarder *m_forwarder = nullptr;
    PublicationObserver *m_observer = nullptr;
};

} // namespace DNotifier::Delivery
