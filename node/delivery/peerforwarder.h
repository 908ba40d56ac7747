#pragma once

// Where fan-out hands publications that concern other nodes. An interface so the delivery
// code does not depend on the cluster.
//
// Channels that keep history (or a Pusher cache) are sequenced: one node per region, the
// sequencer, gives each publication its offset and sends it, with the stream's epoch, to every
// node of the region, so that history answers the same on all of them. Other channels go
// straight from the accepting node to the nodes with subscribers.

#include <node/broker/types.h>

namespace DNotifier::Delivery {

// An operator's request about one user that every node must carry out for the connections
// it holds.
struct UserCommand
{
    enum class Kind {
        // Pusher terminate_connections: close each connection signed in as the user.
        TerminatePusherUser,
        // Centrifuge disconnect: close the user's connections, or one client's.
        DisconnectCentrifugeUser,
    };

    Kind kind = Kind::TerminatePusherUser;
    QString appId;
    QString userId;
    // Centrifuge only; empty means every client of the user.
    QString clientId;
};

class PeerForwarder
{
public:
    virtual ~PeerForwarder() = default;
    virtual bool sequencesHere() const = 0;
    // A publication on a sequenced channel that this node accepted but does not sequence;
    // `except` is a local connection that must not receive it back (a client event's sender).
    virtual void sendToSequencer(const QString &appId,
                                 const Broker::Publication &publication,
                                 Broker::ConnectionId except) = 0;
    // A publication this node delivered: for the peers with subscribers or, on a sequenced
    // channel (this node is the sequencer), for every node of the region. `epoch` is that of
    // the channel's history stream, empty when it keeps none.
    virtual void forward(const QString &appId,
                         const Broker::Publication &publication,
                         bool sequenced,
                         const QString &epoch) = 0;
    // Sends the command to every other node; each carries it out once.
    virtual void forwardUserCommand(const UserCommand &command) = 0;
    // A Centrifuge client with presence joined a channel here, or left it.
    virtual void announceClient(const QString &appId,
                                const QString &channel,
                                const Broker::PublisherInfo &client,
                                bool present) = 0;
};

} // namespace DNotifier::Delivery
