#include "clusterview.h"

#include <QJsonArray>

#include <algorithm>

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

namespace {

QString stateName(Cluster::MemberState state)
{
    switch (state) {
    case Cluster::MemberState::Alive:
        return u"alive"_s;
    case Cluster::MemberState::Suspect:
        return u"suspect"_s;
    case Cluster::MemberState::Dead:
        return u"dead"_s;
    case Cluster::MemberState::Left:
        break;
    }
    return u"left"_s;
}

QJsonObject trafficObject(const TrafficRates &traffic)
{
    return {{"connections"_L1, traffic.connections},
            {"messages_in"_L1, traffic.messagesIn},
            {"messages_out"_L1, traffic.messagesOut},
            {"bytes_in"_L1, traffic.bytesIn},
            {"bytes_out"_L1, traffic.bytesOut}};
}

} // namespace

QList<QJsonObject> topologyNodes(const ClusterSnapshot &cluster, qint64 nowMs)
{
    QList<QJsonObject> nodes;
    for (const Cluster::MemberRecord &member : cluster.members) {
        const bool live = Cluster::isLive(member.state);
        const auto status = cluster.statuses.constFind(member.id);
        const bool known = live && status != cluster.statuses.cend();
        QJsonObject node{{"key"_L1, member.id},
                         {"id"_L1, member.id},
                         {"name"_L1, member.name},
                         {"region"_L1, member.region},
                         {"state"_L1, stateName(member.state)},
                         {"address"_L1, member.address},
                         {"started_at"_L1, member.startedMs},
                         {"uptime_s"_L1, live ? (nowMs - member.startedMs) / 1000 : 0},
                         {"gateway"_L1, live && cluster.isGateway(member.id)},
                         {"self"_L1, member.id == cluster.selfId},
                         {"version"_L1, known ? status->version : QString()},
                         {"draining"_L1, known && status->draining},
                         {"connections"_L1, known ? status->traffic.connections : 0}};
        nodes.append(node);
    }
    return nodes;
}

QList<QJsonObject> topologyLinks(const ClusterSnapshot &cluster)
{
    QHash<QString, QJsonObject> links;
    for (auto it = cluster.statuses.cbegin(); it != cluster.statuses.cend(); ++it) {
        for (const LinkStatus &link : it->links) {
            const QString a = std::min(it.key(), link.peer);
            const QString b = std::max(it.key(), link.peer);
            const QString key = a + u'|' + b;
            QJsonObject &entry = links[key];
            const QJsonValue rtt = link.roundTripUs >= 0
                                           ? QJsonValue(double(link.roundTripUs) / 1000.0)
                                           : QJsonValue(QJsonValue::Null);
            // Either end may report first; a measured figure wins over none.
            if (entry.isEmpty() || entry.value("rtt_ms"_L1).isNull()) {
                entry = {{"key"_L1, key}, {"a"_L1, a}, {"b"_L1, b}, {"rtt_ms"_L1, rtt}};
            }
        }
    }
    QList<QJsonObject> sorted = links.values();
    std::sort(sorted.begin(), sorted.end(), [](const QJsonObject &x, const QJsonObject &y) {
        return x.value("key"_L1).toString() < y.value("key"_L1).toString();
    });
    return sorted;
}

QJsonObject trafficSample(const ClusterSnapshot &cluster, qint64 nowMs)
{
    TrafficRates total;
    QJsonArray nodes;
    QStringList ids = cluster.statuses.keys();
    ids.sort();
    for (const QString &id : std::as_const(ids)) {
        const TrafficRates &traffic = cluster.statuses.value(id).traffic;
        total.connections += traffic.connections;
        total.messagesIn += traffic.messagesIn;
        total.messagesOut += traffic.messagesOut;
        total.bytesIn += traffic.bytesIn;
        total.bytesOut += traffic.bytesOut;
        QJsonObject node = trafficObject(traffic);
        node.insert("id"_L1, id);
        nodes.append(node);
    }
    return {{"at"_L1, nowMs}, {"total"_L1, trafficObject(total)}, {"nodes"_L1, nodes}};
}

QHash<QString, qint64> clusterChannelRates(const ClusterSnapshot &cluster)
{
    QHash<QString, qint64> rates;
    for (const NodeStatus &status : cluster.statuses) {
        for (const ChannelRate &rate : status.channels) {
            rates[rate.appId + u'/' + rate.channel] += rate.perSecond;
        }
    }
    return rates;
}

} // namespace DNotifier::Admin
