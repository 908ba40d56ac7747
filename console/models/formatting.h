#pragma once

// How the console writes durations, times and rates in its tables and panels.

#include <QString>

namespace DNotifier::Console {

// "45 s", "12 min", "3 h 20 min", "2 d 4 h".
QString formatDuration(qint64 seconds);
// Local time with seconds, as ISO 8601 without the zone: "2026-12-04 17:02:11".
QString formatTimestamp(qint64 msSinceEpoch);
// Rates with one decimal below 10, whole numbers above.
QString formatRate(double perSecond);

} // namespace DNotifier::Console
