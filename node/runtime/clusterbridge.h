#pragma once

// Hands what the cluster receives from peers to this node's protocol adapters: publications
// to the shared fan-out (which keeps history and caches), presence roster changes to the
// Pusher hub, which tells the local subscribers, and commands about users to the hub of
// their protocol. Lives on the broker thread.

#include <node/cluster/cluster.h>

#include <memory>

namespace DNotifier::Apps {
class AppRegistry;
}

namespace DNotifier::Pusher {
class Hub;
}

namespace DNotifier::Centrifuge {
class Hub;
}

namespace DNotifier::Runtime {

class ClusterBridge final : public Cluster::RemoteEvents
{
public:
    ClusterBridge(std::shared_ptr<const Apps::AppRegistry> apps,
                  Delivery::Fanout &fanout,
                  Pusher::Hub *pusherHub,
                  Centrifuge::Hub *centrifugeHub);

    bool isSequenced(const QString &appId, const QString &channel) const override;
    void remotePublication(const QString &appId, const Broker::Publication &publication) override;
    std::optional<Cluster::SequencedPublication> sequence(const QString &appId,
                                                          const Broker::Publication &publication,
                                                          Broker::ConnectionId except) override;
    void replica(const QString &appId,
                 const Broker::Publication &publication,
                 const QString &epoch,
                 Broker::ConnectionId except) override;
    void userCommand(const Delivery::UserCommand &command) override;
    void remoteMemberAdded(const Broker::MemberChange &change) override;
    void remoteMemberRemoved(const Broker::MemberChange &change) override;
    void remoteClientJoined(const Broker::ClientChange &change) override;
    void remoteClientLeft(const Broker::ClientChange &change) override;
    void departedMemberRemoved(const Broker::MemberChange &change) override;
    void departedChannelVacated(const QString &appId, const QString &channel) override;

private:
    std::shared_ptr<const Apps::AppRegistry> m_apps;
    Delivery::Fanout &m_fanout;
    Pusher::Hub *m_pusherHub;
    Centrifuge::Hub *m_centrifugeHub;
};

} // namespace DNotifier::Runtime
