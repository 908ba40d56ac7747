#pragma once

// Hands what the cluster receives from peers to this node's protocol adapters: publications
// to the shared fan-out (and the cache of cache channels), presence roster changes to the
// Pusher hub, which tells the local subscribers. Lives on the broker thread.

#include <node/cluster/cluster.h>

#include <memory>

namespace DNotifier::Apps {
class AppRegistry;
}

namespace DNotifier::Pusher {
class Hub;
}

namespace DNotifier::Runtime {

class ClusterBridge final : public Cluster::RemoteEvents
{
public:
    ClusterBridge(std::shared_ptr<const Apps::AppRegistry> apps,
                  Broker::Broker &broker,
                  Delivery::Fanout &fanout,
                  Pusher::Hub *pusherHub);

    void remotePublication(const QString &appId, const Broker::Publication &publication) override;
    void remoteMemberAdded(const Broker::MemberChange &change) override;
    void remoteMemberRemoved(const Broker::MemberChange &change) override;

private:
    std::shared_ptr<const Apps::AppRegistry> m_apps;
    Broker::Broker &m_broker;
    Delivery::Fanout &m_fanout;
    Pusher::Hub *m_pusherHub;
};

} // namespace DNotifier::Runtime
