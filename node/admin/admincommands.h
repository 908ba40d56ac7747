#pragma once

// The operator commands of the admin protocol (docs/admin-protocol.md, "Commands"): each
// checks its params, acts through the node's own paths (the same a client or the HTTP API
// would take) and returns its result. Run on the broker thread.

#include <common/result.h>
#include <node/apps/appregistry.h>
#include <node/config/settings.h>

#include <QJsonObject>

#include <functional>
#include <memory>

namespace DNotifier::Apps {
class CredentialManager;
}

namespace DNotifier::Pusher {
class Hub;
}

namespace DNotifier::Centrifuge {
class Hub;
}

namespace DNotifier::Admin {

struct CommandTargets
{
    Config::NodeSettings settings;
    std::shared_ptr<const Apps::AppRegistry> apps;
    QByteArray clusterSecret;
    std::function<quint16()> peerPort;
    Pusher::Hub *pusherHub = nullptr;
    Centrifuge::Hub *centrifugeHub = nullptr;
    // Closes one of this node's connections as an operator's kick; false when it has none
    // with that id.
    std::function<bool(quint64)> kick;
    std::function<QString()> nodeId;
    std::function<void()> drain;
    Apps::CredentialManager *credentials = nullptr;
};

// Whether `method` is a command (as opposed to hello and the stream methods).
bool isCommand(const QString &method);

Result<QJsonObject> runCommand(const CommandTargets &targets,
                               const QString &method,
                               const QJsonObject &params);

// The params as the audit log keeps them: values that are secrets left out.
QJsonObject auditedParams(const QString &method, const QJsonObject &params);

} // namespace DNotifier::Admin
