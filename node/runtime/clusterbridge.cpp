#include "clusterbridge.h"

#include <node/apps/appregistry.h>
#include <node/centrifuge/hub.h>
#include <node/pusher/hub.h>

namespace DNotifier::Runtime {

ClusterBridge::ClusterBridge(std::shared_ptr<const Apps::AppRegistry> apps,
                             Delivery::Fanout &fanout,
                             Pusher::Hub *pusherHub,
                             Centrifuge::Hub *centrifugeHub)
    : m_apps(std::move(apps))
    , m_fanout(fanout)
    , m_pusherHub(pusherHub)
    , m_centrifugeHub(centrifugeHub)
{ }

bool ClusterBridge::isSequenced(const QString &appId, const QString &channel) const
{
    const Config::AppSettings *app = m_apps->byId(appId);
    return app && Delivery::Fanout::isSequenced(*app, channel);
}

// Apps are configured per node: a publication for an app this node lacks has nobody here.
void ClusterBridge::remotePublication(const QString &appId, const Broker::Publication &publication)
{
    if (const Config::AppSettings *app = m_apps->byId(appId)) {
        m_fanout.deliverFromPeer(*app, publication);
    }
}

std::optional<Cluster::SequencedPublication> ClusterBridge::sequence(
        const QString &appId,
        const Broker::Publication &publication,
        Broker::ConnectionId except)
{
    const Config::AppSettings *app = m_apps->byId(appId);
    if (!app) {
        return std::nullopt;
    }
    Broker::Publication ordered = m_fanout.sequenceFromPeer(*app, publication, except);
    const QString epoch = m_fanout.epochOf(*app, ordered.channel);
    return Cluster::SequencedPublication{std::move(ordered), epoch};
}

void ClusterBridge::replica(const QString &appId,
                            const Broker::Publication &publication,
                            const QString &epoch,
                            Broker::ConnectionId except)
{
    if (const Config::AppSettings *app = m_apps->byId(appId)) {
        m_fanout.deliverReplica(*app, publication, epoch, except);
    }
}

void ClusterBridge::userCommand(const Delivery::UserCommand &command)
{
    switch (command.kind) {
    case Delivery::UserCommand::Kind::TerminatePusherUser:
        m_pusherHub->terminateLocalUser(command.appId, command.userId);
        return;
    case Delivery::UserCommand::Kind::DisconnectCentrifugeUser:
        m_centrifugeHub->disconnectLocalUser(command.appId, command.userId, command.clientId);
        return;
    }
}

void ClusterBridge::remoteMemberAdded(const Broker::MemberChange &change)
{
    m_pusherHub->remoteMemberAdded(change);
}

void ClusterBridge::remoteMemberRemoved(const Broker::MemberChange &change)
{
    m_pusherHub->remoteMemberRemoved(change);
}

void ClusterBridge::remoteClientJoined(const Broker::ClientChange &change)
{
    m_centrifugeHub->remoteClientJoined(change);
}

void ClusterBridge::remoteClientLeft(const Broker::ClientChange &change)
{
    m_centrifugeHub->remoteClientLeft(change);
}

void ClusterBridge::departedMemberRemoved(const Broker::MemberChange &change)
{
    m_pusherHub->reportDepartedMember(change);
}

void ClusterBridge::departedChannelVacated(const QString &appId, const QString &channel)
{
    m_pusherHub->reportDepartedChannel(appId, channel);
}

} // namespace DNotifier::Runtime
