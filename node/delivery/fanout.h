#pragma once

// Sends a publication to every subscriber of its channel, whatever protocol each speaks:
// first into the channel's history when its namespace keeps one, then serialised once per
// protocol and handed to the outlet with the same bytes for every recipient. Runs on the
// broker thread, shared by the protocol hubs.

#include "outlet.h"
#include "peerforwarder.h"

#include <node/broker/broker.h>
#include <node/config/settings.h>

namespace DNotifier::Delivery {

class Fanout final
{
public:
    Fanout(Broker::Broker &broker, Outlet *outlet);

    void setForwarder(PeerForwarder *forwarder) { m_forwarder = forwarder; }

    // A publication accepted on this node: delivered here and forwarded to interested peers.
    // Returns the publication as stored, with its history offset when it got one.
    Broker::Publication publish(const Config::AppSettings &app,
                                Broker::Publication publication,
                                Broker::ConnectionId except = 0);
    // A publication a peer forwarded: delivered here only, never forwarded again.
    void deliverFromPeer(const Config::AppSettings &app, Broker::Publication publication);

    // The same frame to each connection; used for replies and pushes as well.
    void send(const QList<Broker::ConnectionId> &recipients, const QByteArray &frame);
    void send(Broker::ConnectionId recipient, const QByteArray &frame);

private:
    Broker::Publication deliver(const Config::AppSettings &app,
                                Broker::Publication publication,
                                Broker::ConnectionId except);

    Broker::Broker &m_broker;
    Outlet *m_outlet;
    PeerForwarder *m_forwarder = nullptr;
};

} // namespace DNotifier::Delivery
