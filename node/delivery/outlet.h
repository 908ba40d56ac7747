#pragma once

// Where broker-thread code sends frames: the transport routes them to the I/O thread that
// owns each connection. An interface so hubs and fan-out are tested without sockets.

#include <node/broker/types.h>

#include <QByteArray>
#include <QList>
#include <QString>

namespace DNotifier::Delivery {

class Outlet
{
public:
    virtual ~Outlet() = default;
    // One serialised frame (UTF-8 JSON), shared by every recipient.
    virtual void send(const QList<Broker::ConnectionId> &recipients, const QByteArray &frame) = 0;
    virtual void close(Broker::ConnectionId connection, int code, const QString &reason) = 0;
};

} // namespace DNotifier::Delivery
