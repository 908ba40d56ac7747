// Screenshots of every tab of the console, connected to a small live cluster: two
// dnotifier-node processes in two regions, Pusher clients on both with public and presence
// channels, and events published through the admin channel and the second node's HTTP API
// (which counts as messages in) so that the traffic charts move.
// Each tab is grabbed once it shows real data. The images go to DNOTIFIER_SCREENSHOT_DIR
// (a relative path is taken from the source tree's root, so `DNOTIFIER_SCREENSHOT_DIR=
// docs/screenshots ctest -R tst_screenshots` works from any build tree), or else to
// `screenshots` in this test's build directory, so a normal run never writes into the sources.

#include "nodeprocess.h"

#include <console/models/appsmodel.h>
#include <console/models/channelsmodel.h>
#include <console/models/connectionsmodel.h>
#include <console/models/linksmodel.h>
#include <console/models/nodesmodel.h>
#include <console/models/tailmodel.h>
#include <console/profiles/memorysecretstore.h>
#include <console/profiles/profilestore.h>
#include <console/session/clustersession.h>
#include <console/views/appspanel.h>
#include <console/views/channelsview.h>
#include <console/views/connectionsview.h>
#include <console/views/copyablefield.h>
#include <console/views/mainwindow.h>
#include <console/views/nodeitem.h>
#include <console/views/tailpanel.h>
#include <console/views/tokensview.h>
#include <console/views/topologyview.h>
#include <console/views/trafficview.h>

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageAuthenticationCode>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <memory>
#include <tuple>
#include <vector>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

namespace {

// Not a timing assertion: how long a broken cluster may keep a wait going before it fails.
constexpr int PatienceMs = 30'000;

QJsonObject parse(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString screenshotDir()
{
    const QString configured = qEnvironmentVariable("DNOTIFIER_SCREENSHOT_DIR");
    if (configured.isEmpty()) {
        return QStringLiteral(DNOTIFIER_SCREENSHOT_DEFAULT_DIR);
    }
    return QDir(QStringLiteral(DNOTIFIER_SOURCE_DIR)).absoluteFilePath(configured);
}

// The graph's node items that show `connections` clients.
int nodeItemCount(const QGraphicsScene &scene, int connections)
{
    int count = 0;
    for (QGraphicsItem *item : scene.items()) {
        const auto *node = qobject_cast<NodeItem *>(item->toGraphicsObject());
        if (node && node->node().value("connections"_L1).toInt() == connections) {
            ++count;
        }
    }
    return count;
}

} // namespace

class tst_Screenshots final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void topology();
    void channels();
    void traffic();
    void connections();
    void tokens();

private:
    std::unique_ptr<NodeProcess> startNode(const QString &name,
                                           const QString &region,
                                           const QStringList &extra);
    // A Pusher client of the node on `port` subscribed to `channel`, as `user` on a presence
    // channel. Every node serves the first node's app.
    void openClient(quint16 port, const QString &channel, const QString &user = {});
    void publishSome();
    void connectWindow();
    void save(QWidget *tab, const QString &fileName);

    QTemporaryDir m_dir;
    QString m_outputDir;
    QProcessEnvironment m_clusterEnvironment;
    std::unique_ptr<NodeProcess> m_eu;
    std::unique_ptr<NodeProcess> m_us;
    std::vector<std::unique_ptr<QWebSocket>> m_clients;
    QNetworkAccessManager m_network;
    QTimer m_publisher;
    int m_published = 0;
    std::unique_ptr<ProfileStore> m_profiles;
    std::unique_ptr<MemorySecretStore> m_secrets;
    std::unique_ptr<MainWindow> m_window;
};

std::unique_ptr<NodeProcess> tst_Screenshots::startNode(const QString &name,
                                                        const QString &region,
                                                        const QStringList &extra)
{
    auto node = std::make_unique<NodeProcess>(QStringLiteral(DNOTIFIER_NODE_PATH),
                                              m_dir.filePath(name));
    node->setEnvironment(m_clusterEnvironment);
    node->setExtraArguments(QStringList{u"--node-name"_s, name, u"--region"_s, region} + extra);
    if (!node->start()) {
        qWarning().noquote() << "node" << name << "did not start:" << node->errorString();
        return nullptr;
    }
    return node;
}

void tst_Screenshots::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_outputDir = screenshotDir();
    QVERIFY2(QDir().mkpath(m_outputDir), qPrintable(m_outputDir));

    m_clusterEnvironment.insert(u"DNOTIFIER_CLUSTER_SECRET"_s, u"screenshot-cluster-secret-42"_s);
    m_eu = startNode(u"eu-1"_s, u"eu"_s, {});
    QVERIFY(m_eu);
    // The second node serves the first one's app, so publications reach clients of both.
    m_clusterEnvironment.insert(u"DNOTIFIER_APP_ID"_s, m_eu->appId());
    m_clusterEnvironment.insert(u"DNOTIFIER_APP_KEY"_s, m_eu->appKey());
    m_clusterEnvironment.insert(u"DNOTIFIER_APP_SECRET"_s, m_eu->appSecret());
    m_us = startNode(u"us-1"_s, u"us"_s, {u"--seeds"_s, u"127.0.0.1:%1"_s.arg(m_eu->peerPort())});
    QVERIFY(m_us);

    const QList<std::tuple<quint16, QString, QString>> clients{
            {m_eu->port(), u"orders"_s, {}},
            {m_eu->port(), u"orders"_s, {}},
            {m_eu->port(), u"presence-lobby"_s, u"ada"_s},
            {m_us->port(), u"orders"_s, {}},
            {m_us->port(), u"prices"_s, {}},
            {m_us->port(), u"presence-lobby"_s, u"grace"_s},
    };
    for (const auto &[port, channel, user] : clients) {
        openClient(port, channel, user);
        if (QTest::currentTestFailed()) {
            return;
        }
    }

    connectWindow();
    m_publisher.setInterval(200);
    connect(&m_publisher, &QTimer::timeout, this, &tst_Screenshots::publishSome);
    m_publisher.start();
}

void tst_Screenshots::cleanupTestCase()
{
    m_publisher.stop();
    m_window.reset();
    m_clients.clear();
    m_us.reset();
    m_eu.reset();
}

void tst_Screenshots::openClient(quint16 port, const QString &channel, const QString &user)
{
    auto socket = std::make_unique<QWebSocket>();
    QStringList received;
    const QMetaObject::Connection collecting =
            connect(socket.get(), &QWebSocket::textMessageReceived, this,
                    [&received](const QString &text) { received.append(text); });
    socket->open(QUrl(u"ws://127.0.0.1:%1/app/%2?protocol=7"_s.arg(port).arg(m_eu->appKey())));
    const auto eventAt = [&received](int index) {
        return index < received.size() ? parse(received.at(index)).value("event"_L1).toString()
                                       : QString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(eventAt(0), u"pusher:connection_established"_s, PatienceMs);
    if (QTest::currentTestFailed()) {
        return;
    }
    const QString socketId = parse(parse(received.at(0)).value("data"_L1).toString())
                                     .value("socket_id"_L1)
                                     .toString();
    QJsonObject data{{u"channel"_s, channel}};
    if (!user.isEmpty()) {
        const QString channelData =
                compact({{u"user_id"_s, user}, {u"user_info"_s, QJsonObject{{u"name"_s, user}}}});
        const QByteArray signature = QMessageAuthenticationCode::hash(
                QString(socketId + u':' + channel + u':' + channelData).toUtf8(),
                m_eu->appSecret().toUtf8(), QCryptographicHash::Sha256);
        data.insert(u"auth"_s,
                    QString(m_eu->appKey() + u':' + QString::fromLatin1(signature.toHex())));
        data.insert(u"channel_data"_s, channelData);
    }
    socket->sendTextMessage(compact({{u"event"_s, u"pusher:subscribe"_s}, {u"data"_s, data}}));
    QTRY_COMPARE_WITH_TIMEOUT(eventAt(1), u"pusher_internal:subscription_succeeded"_s, PatienceMs);
    disconnect(collecting);
    m_clients.push_back(std::move(socket));
}

// A steady trickle on two channels, for the charts and the live tail: orders through the admin
// channel of the first node, prices through the HTTP API of the second.
void tst_Screenshots::publishSome()
{
    if (m_window->client()->state() != AdminClient::State::Connected) {
        return;
    }
    ++m_published;
    if (m_published % 2 == 0) {
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/api/publish"_s.arg(m_us->port())));
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        request.setRawHeader("X-API-Key", m_eu->appSecret().toUtf8());
        const QJsonObject price{{u"symbol"_s, u"DNTF"_s}, {u"price"_s, 17 + m_published % 5}};
        QNetworkReply *reply =
                m_network.post(request, QJsonDocument(QJsonObject{{u"channel"_s, u"prices"_s},
                                                                  {u"data"_s, price}})
                                                .toJson(QJsonDocument::Compact));
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        return;
    }
    const QString order = compact({{u"id"_s, 1000 + m_published}, {u"total"_s, 42.5}});
    m_window->session()->publish(m_eu->appId(), u"orders"_s, u"order-placed"_s, order, this,
                                 [](const AdminReply &reply) {
                                     if (!reply.isOk()) {
                                         qWarning().noquote()
                                                 << "publish failed:" << reply.error().message;
                                     }
                                 });
}

void tst_Screenshots::connectWindow()
{
    const QString settingsFile = m_dir.filePath(u"console.ini"_s);
    m_profiles = std::make_unique<ProfileStore>(
            std::make_unique<QSettings>(settingsFile, QSettings::IniFormat));
    m_secrets = std::make_unique<MemorySecretStore>();
    m_window = std::make_unique<MainWindow>(m_profiles.get(), m_secrets.get());
    m_window->setKeyPrompt([](const QString &) { return QString(); });
    m_window->resize(1200, 800);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));

    Profile profile;
    profile.name = u"demo cluster"_s;
    profile.host = u"127.0.0.1"_s;
    profile.port = m_eu->adminPort();
    profile.pinnedFingerprint = m_eu->fingerprint();
    m_window->saveProfile(profile, m_eu->adminKey(u"admin"_s));
    QTRY_COMPARE(m_secrets->contents().size(), 1);
    m_window->connectProfile(m_profiles->profiles().first().id);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->client()->state(), AdminClient::State::Connected,
                              PatienceMs);
}

void tst_Screenshots::save(QWidget *tab, const QString &fileName)
{
    m_window->tabs()->setCurrentWidget(tab);
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    const QString path = QDir(m_outputDir).filePath(fileName);
    QFile::remove(path);
    const QPixmap image = m_window->grab();
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), m_window->size());
    QVERIFY2(image.save(path, "PNG"), qPrintable(path));
    QVERIFY2(QFileInfo(path).size() > 0, qPrintable(path));
    qInfo().noquote() << "wrote" << path;
}

void tst_Screenshots::topology()
{
    const ClusterSession *session = m_window->session();
    const auto clusterFormed = [session] {
        if (session->nodes()->rowCount() != 2 || session->links()->rowCount() != 1) {
            return false;
        }
        // Three clients on each node, as the nodes report them.
        for (const QJsonObject &node : session->nodes()->items().items()) {
            if (node.value("state"_L1).toString() != "alive"_L1
                || node.value("connections"_L1).toInt() != 3) {
                return false;
            }
        }
        return !session->links()->items().at(0).value("rtt_ms"_L1).isNull();
    };
    QTRY_VERIFY_WITH_TIMEOUT(clusterFormed(), PatienceMs);
    QStringList names;
    for (const QJsonObject &node : session->nodes()->items().items()) {
        names.append(node.value("name"_L1).toString());
    }
    names.sort();
    QCOMPARE(names, (QStringList{u"eu-1"_s, u"us-1"_s}));

    TopologyView *view = m_window->topologyView();
    view->selectNode(m_window->client()->hello().nodeId);
    QTRY_COMPARE(nodeItemCount(*view->scene(), 3), 2);
    QVERIFY(view->detailsText().contains(u"eu-1"_s));
    save(view, u"topology.png"_s);
}

void tst_Screenshots::channels()
{
    const ChannelsModel *channels = m_window->session()->channels();
    const QString orders = m_eu->appId() + u"/orders"_s;
    const QString lobby = m_eu->appId() + u"/presence-lobby"_s;
    const QString prices = m_eu->appId() + u"/prices"_s;
    QTRY_COMPARE_WITH_TIMEOUT(channels->items().find(orders).value("subscribers"_L1).toInt(), 3,
                              PatienceMs);
    QTRY_COMPARE_WITH_TIMEOUT(channels->items().find(lobby).value("members"_L1).toInt(), 2,
                              PatienceMs);
    QTRY_VERIFY_WITH_TIMEOUT(channels->items().contains(prices), PatienceMs);
    QTRY_VERIFY_WITH_TIMEOUT(channels->items().find(orders).value("rate"_L1).toDouble() > 0,
                             PatienceMs);

    ChannelsView *view = m_window->channelsView();
    m_window->tabs()->setCurrentWidget(view);
    const QModelIndex source = channels->index(channels->items().rowOf(orders), 0);
    view->table()->selectRow(view->proxy()->mapFromSource(source).row());
    QTRY_VERIFY_WITH_TIMEOUT(view->tail()->model()->rowCount() >= 5, PatienceMs);
    save(view, u"channels.png"_s);
}

void tst_Screenshots::traffic()
{
    TrafficView *view = m_window->findChild<TrafficView *>();
    QVERIFY(view);
    const auto pointsWithTraffic = [view] {
        int count = 0;
        for (const QPointF &point : view->messagesOutSeries()->points()) {
            count += point.y() > 0 ? 1 : 0;
        }
        return count;
    };
    const auto pointsWithMessagesIn = [view] {
        int count = 0;
        for (const QPointF &point : view->messagesInSeries()->points()) {
            count += point.y() > 0 ? 1 : 0;
        }
        return count;
    };
    QTRY_VERIFY_WITH_TIMEOUT(pointsWithTraffic() >= 6, PatienceMs);
    QTRY_VERIFY_WITH_TIMEOUT(pointsWithMessagesIn() >= 4, PatienceMs);
    QVERIFY(view->connectionsSeries()->count() >= 6);
    save(view, u"traffic.png"_s);
}

void tst_Screenshots::connections()
{
    const ConnectionsModel *connections = m_window->session()->connections();
    const auto fromBothNodes = [connections] {
        QSet<QString> nodes;
        for (const QJsonObject &connection : connections->items().items()) {
            nodes.insert(connection.value("node"_L1).toString());
        }
        return connections->rowCount() == 6 && nodes.size() == 2;
    };
    QTRY_VERIFY_WITH_TIMEOUT(fromBothNodes(), PatienceMs);
    save(m_window->connectionsView(), u"connections.png"_s);
}

void tst_Screenshots::tokens()
{
    TokensView *view = m_window->tokensView();
    AppsPanel *apps = view->appsPanel();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->apps()->rowOf(m_eu->appId()) >= 0, PatienceMs);
    apps->selectApp(m_eu->appId());
    QVERIFY(apps->secretField()->isMasked());

    view->appBox()->setCurrentText(m_eu->appId());
    view->subjectEdit()->setText(u"ada"_s);
    view->issueButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(view->tokenField()->text().count(u'.') == 2, PatienceMs);
    view->joinButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!view->commandField()->text().isEmpty(), PatienceMs);
    save(view, u"tokens.png"_s);
}

QTEST_MAIN(tst_Screenshots)
#include "tst_screenshots.moc"
