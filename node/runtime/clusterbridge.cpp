#include "clusterbridge.h"

#include <common/pusher/channelname.h>
#include <node/apps/appregistry.h>
#include <node/pusher/hub.h>

namespace DNotifier::Runtime {

ClusterBridge::ClusterBridge(std::shared_ptr<const Apps::AppRegistry> apps,
                             Broker::Broker &broker,
                             Delivery::Fanout &fanout,
                             Pusher::Hub *pusherHub)
    : m_apps(std::move(apps))
    , m_broker(broker)
    , m_fanout(fanout)
    , m_pusherHub(pusherHub)
{ }

void ClusterBridge::remotePublication(const QString &appId, const Broker::Publication &publication)
{
    // Apps are configured per node; a publication for an app this node lacks has nobody here.
    const Config::AppSettings *app = m_apps->byId(appId);
    if (!app) {
        return;
    }
    if (publication.origin == Broker::Origin::Api
        && Pusher::channelType(publication.channel).isCache) {
        m_broker.setCached(appId, publication);
    }
    m_fanout.deliverFromPeer(*app, publication);
}

void ClusterBridge::remoteMemberAdded(const Broker::MemberChange &change)
{
    m_pusherHub->remoteMemberAdded(change);
}

void ClusterBridge::remoteMemberRemoved(const Broker::MemberChange &change)
{
    m_pusherHub->remoteMemberRemoved(change);
}

} // namespace DNotifier::Runtime
