#include "nodestatus.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

namespace {

// Generous bounds: a status past them is not one a node of ours wrote.
constexpr qsizetype MaxStatusLinks = 2048;

// Any JSON number as an integer; out-of-range and non-numbers become 0 instead of a cast
// that has no defined result.
qint64 integer(const QJsonValue &value)
{
    constexpr double Limit = 9007199254740992.0;
    const double number = value.toDouble();
    return number > -Limit && number < Limit ? qint64(number) : 0;
}

qint64 number(const QJsonObject &object, QLatin1StringView key)
{
    return integer(object.value(key));
}

} // namespace

QByteArray encodeNodeStatus(const NodeStatus &status)
{
    QJsonArray links;
    for (const LinkStatus &link : status.links) {
        links.append(QJsonArray{link.peer, link.roundTripUs});
    }
    QJsonArray channels;
    for (const ChannelRate &rate : status.channels.mid(0, MaxStatusChannels)) {
        channels.append(QJsonArray{rate.appId, rate.channel, rate.perSecond});
    }
    const TrafficRates &traffic = status.traffic;
    const QJsonObject object{{"id"_L1, status.id},
                             {"version"_L1, status.version},
                             {"started_at"_L1, status.startedMs},
                             {"draining"_L1, status.draining},
                             {"connections"_L1, traffic.connections},
                             {"messages_in"_L1, traffic.messagesIn},
                             {"messages_out"_L1, traffic.messagesOut},
                             {"bytes_in"_L1, traffic.bytesIn},
                             {"bytes_out"_L1, traffic.bytesOut},
                             {"links"_L1, links},
                             {"channels"_L1, channels}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

std::optional<NodeStatus> decodeNodeStatus(const QByteArray &bytes)
{
    const QJsonDocument document = QJsonDocument::fromJson(bytes);
    if (!document.isObject()) {
        return std::nullopt;
    }
    const QJsonObject object = document.object();
    const QJsonArray links = object.value("links"_L1).toArray();
    const QJsonArray channels = object.value("channels"_L1).toArray();
    if (!object.value("id"_L1).isString() || links.size() > MaxStatusLinks
        || channels.size() > MaxStatusChannels) {
        return std::nullopt;
    }
    NodeStatus status;
    status.id = object.value("id"_L1).toString();
    status.version = object.value("version"_L1).toString();
    status.startedMs = number(object, "started_at"_L1);
    status.draining = object.value("draining"_L1).toBool();
    status.traffic = {number(object, "connections"_L1), number(object, "messages_in"_L1),
                      number(object, "messages_out"_L1), number(object, "bytes_in"_L1),
                      number(object, "bytes_out"_L1)};
    for (const QJsonValue &value : links) {
        const QJsonArray link = value.toArray();
        if (link.size() != 2 || !link.at(0).isString()) {
            return std::nullopt;
        }
        status.links.append(
                {link.at(0).toString(), link.at(1).isDouble() ? integer(link.at(1)) : -1});
    }
    for (const QJsonValue &value : channels) {
        const QJsonArray rate = value.toArray();
        if (rate.size() != 3 || !rate.at(0).isString() || !rate.at(1).isString()) {
            return std::nullopt;
        }
        status.channels.append({rate.at(0).toString(), rate.at(1).toString(), integer(rate.at(2))});
    }
    return status;
}

} // namespace DNotifier::Admin
