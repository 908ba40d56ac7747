#pragma once

// What the console knows about the cluster it is connected to: the models fed by the admin
// channel's streams (topology, traffic, channels, connections), the app credentials listed by
// `list_apps`, and the commands of the admin role. The subscriptions are made once and follow
// the client across reconnects; the models show the last known state while the client
// reconnects and are emptied when the console turns to another cluster. Lives on the GUI
// thread.

#include <console/admin/adminclient.h>
#include <console/admin/adminreply.h>

#include <QJsonObject>
#include <QObject>
#include <QPointer>

namespace DNotifier::Console {

class AppsModel;
class ChannelsModel;
class ConnectionsModel;
class LinksModel;
class NodesModel;
class StreamSubscription;
class TrafficHistory;

class ClusterSession final : public QObject
{
    Q_OBJECT

public:
    // The page the channels and connections streams show: a name filter and a window.
    struct Page
    {
        QString filter;
        int offset = 0;
        int limit = 100;

        QJsonObject toParams() const;
    };

    struct TokenRequest
    {
        QString app;
        // "connection" or "subscription".
        QString kind;
        QString subject;
        // Subscription tokens only.
        QString channel;
        int expiresInSeconds = 3600;
        // Extra claims; empty for none.
        QJsonObject info;
    };

    explicit ClusterSession(AdminClient *client, QObject *parent = nullptr);

    AdminClient *client() const { return m_client; }

    NodesModel *nodes() const { return m_nodes; }

    LinksModel *links() const { return m_links; }

    ChannelsModel *channels() const { return m_channels; }

    ConnectionsModel *connections() const { return m_connections; }

    TrafficHistory *traffic() const { return m_traffic; }

    // Filled by refreshApps(); empty with a read-only key, which may not list apps.
    AppsModel *apps() const { return m_apps; }

    Page channelsPage() const { return m_channelsPage; }

    void setChannelsPage(const Page &page);

    Page connectionsPage() const { return m_connectionsPage; }

    void setConnectionsPage(const Page &page);

    // Empties every model; for a switch to another profile.
    void clear();

    // A live tail of one channel, owned by `parent`; its deltas are publications.
    StreamSubscription *tail(const QString &app, const QString &channel, QObject *parent);

    // Closes the connection `connectionId` held by node `nodeId`, on whichever node that is.
    void kick(const QString &nodeId,
              const QString &connectionId,
              QObject *context,
              ReplyHandler handler);
    void terminateUser(const QString &app,
                       const QString &user,
                       QObject *context,
                       ReplyHandler handler);
    void publish(const QString &app,
                 const QString &channel,
                 const QString &event,
                 const QString &data,
                 QObject *context,
                 ReplyHandler handler);
    void issueToken(const TokenRequest &token, QObject *context, ReplyHandler handler);
    void createJoinToken(int ttlSeconds,
                         const QStringList &seeds,
                         QObject *context,
                         ReplyHandler handler);
    void drain(QObject *context, ReplyHandler handler);

    // Lists the apps into apps(). Done on every connection with an admin key and after every
    // app command below; a failure is reported by appsRefreshFailed.
    void refreshApps();
    void listApps(QObject *context, ReplyHandler handler);
    void createApp(QObject *context, ReplyHandler handler);
    // New key and secret for `app`; the old ones stop working at once.
    void rotateApp(const QString &app, QObject *context, ReplyHandler handler);
    // Disabling closes the app's connections and refuses new ones and its HTTP API calls.
    void setAppEnabled(const QString &app, bool enabled, QObject *context, ReplyHandler handler);

Q_SIGNALS:
    // A stream the node would not open; the models of that stream stay empty.
    void streamFailed(const QString &stream, const DNotifier::Console::AdminError &error);
    // The node would not list its apps; apps() keeps what it showed last.
    void appsRefreshFailed(const DNotifier::Console::AdminError &error);

private:
    void onAuthenticated(const HelloInfo &hello);
    void watchFailures(StreamSubscription *subscription);
    void appCommand(const QString &method,
                    const QJsonObject &params,
                    QObject *context,
                    ReplyHandler handler);

    QPointer<AdminClient> m_client;
    NodesModel *m_nodes;
    LinksModel *m_links;
    ChannelsModel *m_channels;
    ConnectionsModel *m_connections;
    TrafficHistory *m_traffic;
    AppsModel *m_apps;
    StreamSubscription *m_topologyStream = nullptr;
    StreamSubscription *m_trafficStream = nullptr;
    StreamSubscription *m_channelsStream = nullptr;
    StreamSubscription *m_connectionsStream = nullptr;
    Page m_channelsPage;
    Page m_connectionsPage;
    QString m_clusterId;
};

} // namespace DNotifier::Console
