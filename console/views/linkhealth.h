#pragma once

// How healthy a peer link looks from its last round trip, and the colour the topology graph
// draws it in. The colours are the one place the console picks its own: mid-tone green, amber
// and red that keep their contrast on both light and dark palettes; unknown links are grey
// and dashed, so colour is never the only cue.

#include <QColor>
#include <QJsonValue>
#include <QString>

namespace DNotifier::Console {

enum class LinkHealth {
    Unknown,
    Good,
    Slow,
    Poor,
};

inline constexpr double GoodRttMs = 50;
inline constexpr double SlowRttMs = 200;

// `rtt` is the link's rtt_ms: a number, or null before the first probe.
LinkHealth linkHealth(const QJsonValue &rtt);
QColor linkColor(LinkHealth health);
// "12 ms", "0.4 ms", or "?" before the first probe.
QString linkLabel(const QJsonValue &rtt);

} // namespace DNotifier::Console
