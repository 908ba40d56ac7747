#pragma once

// WebSocket close reasons must fit a control frame: at most 123 bytes of valid UTF-8 after
// the two-byte code. Client libraries treat a reason cut inside a character as a failed
// connection and reconnect in a loop, so cut on a character boundary.

#include <QString>

namespace DNotifier::Transport {

QString closeReason(const QString &reason);

} // namespace DNotifier::Transport
