#include "clustersession.h"

#include <console/admin/adminclient.h>
#include <console/admin/streamsubscription.h>
#include <console/models/appsmodel.h>
#include <console/models/channelsmodel.h>
#include <console/models/connectionsmodel.h>
#include <console/models/linksmodel.h>
#include <console/models/nodesmodel.h>
#include <console/models/traffichistory.h>

#include <QJsonArray>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

QJsonObject ClusterSession::Page::toParams() const
{
    QJsonObject params{{u"offset"_s, offset}, {u"limit"_s, limit}};
    if (!filter.isEmpty()) {
        params.insert(u"filter"_s, filter);
    }
    return params;
}

ClusterSession::ClusterSession(AdminClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_nodes(new NodesModel(this))
    , m_links(new LinksModel(this))
    , m_channels(new ChannelsModel(this))
    , m_connections(new ConnectionsModel(this))
    , m_traffic(new TrafficHistory(this))
    , m_apps(new AppsModel(this))
{
    m_topologyStream = client->subscribe(u"topology"_s, {}, this);
    for (KeyedTableModel *model :
         {static_cast<KeyedTableModel *>(m_nodes), static_cast<KeyedTableModel *>(m_links)}) {
        connect(m_topologyStream, &StreamSubscription::snapshotReceived, model,
                &KeyedTableModel::applySnapshot);
        connect(m_topologyStream, &StreamSubscription::deltaReceived, model,
                &KeyedTableModel::applyDelta);
    }

    m_trafficStream = client->subscribe(u"traffic"_s, {}, this);
    const auto appendSample = [this](const QJsonObject &data) {
        if (const std::optional<TrafficSample> sample = TrafficSample::fromJson(data)) {
            m_traffic->append(*sample);
        }
    };
    connect(m_trafficStream, &StreamSubscription::snapshotReceived, m_traffic, appendSample);
    connect(m_trafficStream, &StreamSubscription::deltaReceived, m_traffic, appendSample);

    m_channelsStream = client->subscribe(u"channels"_s, m_channelsPage.toParams(), this);
    connect(m_channelsStream, &StreamSubscription::snapshotReceived, m_channels,
            &KeyedTableModel::applySnapshot);
    connect(m_channelsStream, &StreamSubscription::deltaReceived, m_channels,
            &KeyedTableModel::applyDelta);

    m_connectionsStream = client->subscribe(u"connections"_s, m_connectionsPage.toParams(), this);
    connect(m_connectionsStream, &StreamSubscription::snapshotReceived, m_connections,
            &KeyedTableModel::applySnapshot);
    connect(m_connectionsStream, &StreamSubscription::deltaReceived, m_connections,
            &KeyedTableModel::applyDelta);

    for (StreamSubscription *subscription :
         {m_topologyStream, m_trafficStream, m_channelsStream, m_connectionsStream}) {
        watchFailures(subscription);
    }
    connect(client, &AdminClient::authenticated, this, &ClusterSession::onAuthenticated);
}

void ClusterSession::watchFailures(StreamSubscription *subscription)
{
    connect(subscription, &StreamSubscription::failed, this,
            [this, subscription](const AdminError &error) {
                Q_EMIT streamFailed(subscription->stream(), error);
            });
}

// The models of one cluster must not mix with another's: a profile may point at another
// cluster than last time.
void ClusterSession::onAuthenticated(const HelloInfo &hello)
{
    if (!m_clusterId.isEmpty() && hello.clusterId != m_clusterId) {
        clear();
    }
    m_clusterId = hello.clusterId;
    if (hello.isAdmin()) {
        refreshApps();
    } else {
        m_apps->clear();
    }
}

void ClusterSession::clear()
{
    m_nodes->clear();
    m_links->clear();
    m_channels->clear();
    m_connections->clear();
    m_traffic->clear();
    m_apps->clear();
    m_clusterId.clear();
}

void ClusterSession::setChannelsPage(const Page &page)
{
    m_channelsPage = page;
    m_channelsStream->setParams(page.toParams());
}

void ClusterSession::setConnectionsPage(const Page &page)
{
    m_connectionsPage = page;
    m_connectionsStream->setParams(page.toParams());
}

StreamSubscription *ClusterSession::tail(const QString &app,
                                         const QString &channel,
                                         QObject *parent)
{
    return m_client->subscribe(u"tail"_s, {{u"app"_s, app}, {u"channel"_s, channel}}, parent);
}

void ClusterSession::kick(const QString &nodeId,
                          const QString &connectionId,
                          QObject *context,
                          ReplyHandler handler)
{
    m_client->request(u"kick"_s, {{u"node"_s, nodeId}, {u"connection"_s, connectionId}}, context,
                      std::move(handler));
}

void ClusterSession::terminateUser(const QString &app,
                                   const QString &user,
                                   QObject *context,
                                   ReplyHandler handler)
{
    m_client->request(u"terminate_user"_s, {{u"app"_s, app}, {u"user"_s, user}}, context,
                      std::move(handler));
}

void ClusterSession::publish(const QString &app,
                             const QString &channel,
                             const QString &event,
                             const QString &data,
                             QObject *context,
                             ReplyHandler handler)
{
    const QJsonObject params{{u"app"_s, app},
                             {u"channel"_s, channel},
                             {u"event"_s, event},
                             {u"data"_s, data}};
    m_client->request(u"publish"_s, params, context, std::move(handler));
}

void ClusterSession::issueToken(const TokenRequest &token, QObject *context, ReplyHandler handler)
{
    QJsonObject params{{u"app"_s, token.app},
                       {u"kind"_s, token.kind},
                       {u"subject"_s, token.subject},
                       {u"expires_in"_s, token.expiresInSeconds}};
    if (token.kind == "subscription"_L1) {
        params.insert(u"channel"_s, token.channel);
    }
    if (!token.info.isEmpty()) {
        params.insert(u"info"_s, token.info);
    }
    m_client->request(u"issue_token"_s, params, context, std::move(handler));
}

void ClusterSession::createJoinToken(int ttlSeconds,
                                     const QStringList &seeds,
                                     QObject *context,
                                     ReplyHandler handler)
{
    QJsonObject params{{u"ttl"_s, ttlSeconds}};
    if (!seeds.isEmpty()) {
        params.insert(u"seeds"_s, QJsonArray::fromStringList(seeds));
    }
    m_client->request(u"create_join_token"_s, params, context, std::move(handler));
}

void ClusterSession::drain(QObject *context, ReplyHandler handler)
{
    m_client->request(u"drain"_s, {}, context, std::move(handler));
}

void ClusterSession::refreshApps()
{
    listApps(this, [this](const AdminReply &reply) {
        if (!reply.isOk()) {
            Q_EMIT appsRefreshFailed(reply.error());
            return;
        }
        m_apps->setApps(reply.result().value("apps"_L1).toArray());
    });
}

void ClusterSession::listApps(QObject *context, ReplyHandler handler)
{
    m_client->request(u"list_apps"_s, {}, context, std::move(handler));
}

void ClusterSession::createApp(QObject *context, ReplyHandler handler)
{
    appCommand(u"create_app"_s, {}, context, std::move(handler));
}

void ClusterSession::rotateApp(const QString &app, QObject *context, ReplyHandler handler)
{
    appCommand(u"rotate_app"_s, {{u"app"_s, app}}, context, std::move(handler));
}

void ClusterSession::setAppEnabled(const QString &app,
                                   bool enabled,
                                   QObject *context,
                                   ReplyHandler handler)
{
    appCommand(u"set_app_enabled"_s, {{u"app"_s, app}, {u"enabled"_s, enabled}}, context,
               std::move(handler));
}

// The list is refreshed after the command whatever its outcome (a not_found means the list was
// stale) and whether or not the caller is still there to hear the reply.
void ClusterSession::appCommand(const QString &method,
                                const QJsonObject &params,
                                QObject *context,
                                ReplyHandler handler)
{
    m_client->request(method, params, this,
                      [this, context = QPointer<QObject>(context),
                       handler = std::move(handler)](const AdminReply &reply) {
                          if (context && handler) {
                              handler(reply);
                          }
                          if (reply.isOk() || reply.error().code != AdminErrorCode::Disconnected) {
                              refreshApps();
                          }
                      });
}

} // namespace DNotifier::Console
