#pragma once

// Where fan-out hands a publication accepted on this node so that other nodes with
// subscribers get it too. An interface so the delivery code does not depend on the cluster.

#include <node/broker/types.h>

namespace DNotifier::Delivery {

class PeerForwarder
{
public:
    virtual ~PeerForwarder() = default;
    virtual void forward(const QString &appId, const Broker::Publication &publication) = 0;
};

} // namespace DNotifier::Delivery
