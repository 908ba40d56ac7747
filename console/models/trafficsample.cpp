#include "trafficsample.h"

#include <QJsonArray>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

TrafficFigures TrafficFigures::fromJson(const QJsonObject &object)
{
    TrafficFigures figures;
    figures.connections = object.value("connections"_L1).toInteger();
    figures.messagesIn = object.value("messages_in"_L1).toInteger();
    figures.messagesOut = object.value("messages_out"_L1).toInteger();
    figures.bytesIn = object.value("bytes_in"_L1).toInteger();
    figures.bytesOut = object.value("bytes_out"_L1).toInteger();
    return figures;
}

std::optional<TrafficSample> TrafficSample::fromJson(const QJsonObject &data)
{
    const QJsonValue at = data.value("at"_L1);
    if (!at.isDouble() || at.toInteger() <= 0) {
        return std::nullopt;
    }
    TrafficSample sample;
    sample.at = at.toInteger();
    sample.total = TrafficFigures::fromJson(data.value("total"_L1).toObject());
    for (const QJsonValue &node : data.value("nodes"_L1).toArray()) {
        const QJsonObject object = node.toObject();
        const QString id = object.value("id"_L1).toString();
        if (!id.isEmpty()) {
            sample.nodes.insert(id, TrafficFigures::fromJson(object));
        }
    }
    return sample;
}

} // namespace DNotifier::Console
