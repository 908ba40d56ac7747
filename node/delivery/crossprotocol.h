#pragma once

// How one publication looks to each protocol, whichever protocol published it. Pure
// functions, safe from any thread. docs/protocols.md explains the mapping.

#include <node/broker/types.h>
#include <node/centrifuge/codec.h>

#include <QByteArray>

namespace DNotifier::Delivery {

// Pusher event name for publications that carry none (Centrifuge clients and API).
inline constexpr QLatin1StringView DefaultPusherEvent("message");
// The Centrifuge tag that carries a Pusher event name, both ways.
inline constexpr QLatin1StringView EventTag("event");

// The Pusher event frame of the publication.
QByteArray pusherFrame(const Broker::Publication &publication);

// The Centrifuge publication: JSON data embedded as JSON, any other text as a JSON string,
// the Pusher event name as the tag "event".
Centrifuge::Publication centrifugePublication(const Broker::Publication &publication);

} // namespace DNotifier::Delivery
