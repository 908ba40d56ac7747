#include "adminreply.h"

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

HelloInfo HelloInfo::fromResult(const QJsonObject &result)
{
    const QJsonObject node = result.value("node"_L1).toObject();
    HelloInfo info;
    info.protocol = result.value("protocol"_L1).toInt();
    info.role = result.value("role"_L1).toString();
    info.keyName = result.value("key_name"_L1).toString();
    info.nodeId = node.value("id"_L1).toString();
    info.nodeName = node.value("name"_L1).toString();
    info.region = node.value("region"_L1).toString();
    info.version = node.value("version"_L1).toString();
    info.clusterId = result.value("cluster"_L1).toObject().value("id"_L1).toString();
    return info;
}

} // namespace DNotifier::Console
