#pragma once

// How the node writes its log lines to standard error: readable text on a terminal, one JSON
// object per line otherwise (journald, containers, log shippers), with RFC 3339 time, level,
// component (the logging category), the node id once it is known, and the message.

#include <QString>

namespace DNotifier::Observability {

enum class LogFormat {
    Text,
    Json,
};

// JSON unless standard error is a terminal; DNOTIFIER_LOG_FORMAT=text or json decides instead.
LogFormat chooseLogFormat();
void installLogFormat(LogFormat format);
// Named in every JSON line from now on.
void setLogNodeId(const QString &nodeId);
// Writes the node's lines of `level` ("debug", "info", "warning", "error") and more severe;
// QT_LOGGING_RULES, when set, still has the last word.
void setLogLevel(const QString &level);

} // namespace DNotifier::Observability
