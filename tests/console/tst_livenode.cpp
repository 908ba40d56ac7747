// The console against a real dnotifier-node process: authentication, the models filled from
// the node's streams, commands the node carries out, and a changed certificate refused.

#include "nodeprocess.h"

#include <console/admin/adminclient.h>
#include <console/models/appsmodel.h>
#include <console/models/channelsmodel.h>
#include <console/models/connectionsmodel.h>
#include <console/models/nodesmodel.h>
#include <console/models/traffichistory.h>
#include <console/session/clustersession.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

namespace {

QJsonObject parse(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// The first item of a keyed model whose field has the given value, or an empty object.
QJsonObject findItem(const KeyedTableModel &model, const QString &field, const QString &value)
{
    for (const QJsonObject &item : model.items().items()) {
        if (item.value(field).toString() == value) {
            return item;
        }
    }
    return {};
}

} // namespace

class tst_LiveNode final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void authenticatesWithEachRole();
    void wrongKeyIsRefused();
    void modelsFillFromTheStreams();
    void kickedConnectionLeavesTheModel();
    void issuedConnectionTokenIsAccepted();
    void appCommandsChangeTheListedApps();
    void changedCertificateIsRefused();

private:
    AdminClient::Endpoint endpoint(const NodeProcess &node) const;
    void connectAdmin(AdminClient &client, const QString &role = u"admin"_s);
    // A Pusher client on the node, subscribed to `channel`; returns its socket id.
    QString openPusherClient(QWebSocket &socket, const QString &channel);

    QTemporaryDir m_dir;
    std::unique_ptr<NodeProcess> m_node;
};

void tst_LiveNode::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_node = std::make_unique<NodeProcess>(QStringLiteral(DNOTIFIER_NODE_PATH),
                                           m_dir.filePath(u"node"_s));
    QVERIFY2(m_node->start(), qPrintable(m_node->errorString()));
    QVERIFY(!m_node->adminKey(u"admin"_s).isEmpty());
    QVERIFY(!m_node->adminKey(u"read-only"_s).isEmpty());
    QVERIFY(!m_node->appKey().isEmpty());
}

void tst_LiveNode::cleanupTestCase()
{
    m_node.reset();
}

AdminClient::Endpoint tst_LiveNode::endpoint(const NodeProcess &node) const
{
    return {u"127.0.0.1"_s, node.adminPort(), node.fingerprint()};
}

void tst_LiveNode::connectAdmin(AdminClient &client, const QString &role)
{
    client.setBackoff(100ms, 1s);
    client.open(endpoint(*m_node), m_node->adminKey(role));
    QTRY_COMPARE(client.state(), AdminClient::State::Connected);
}

QString tst_LiveNode::openPusherClient(QWebSocket &socket, const QString &channel)
{
    QStringList received;
    connect(&socket, &QWebSocket::textMessageReceived, this,
            [&received](const QString &text) { received.append(text); });
    socket.open(QUrl(
            u"ws://127.0.0.1:%1/app/%2?protocol=7"_s.arg(m_node->port()).arg(m_node->appKey())));
    const auto eventAt = [&received](int index) {
        return index < received.size() ? parse(received.at(index)).value("event"_L1).toString()
                                       : QString();
    };
    [&] { QTRY_COMPARE(eventAt(0), u"pusher:connection_established"_s); }();
    const QJsonObject established = parse(parse(received.at(0)).value("data"_L1).toString());
    socket.sendTextMessage(compact({{u"event"_s, u"pusher:subscribe"_s},
                                    {u"data"_s, QJsonObject{{u"channel"_s, channel}}}}));
    [&] { QTRY_COMPARE(eventAt(1), u"pusher_internal:subscription_succeeded"_s); }();
    socket.disconnect(this);
    return established.value("socket_id"_L1).toString();
}

void tst_LiveNode::authenticatesWithEachRole()
{
    AdminClient admin;
    connectAdmin(admin);
    QCOMPARE(admin.hello().role, u"admin"_s);
    QCOMPARE(admin.hello().keyName, u"admin"_s);
    QCOMPARE(admin.hello().protocol, 1);
    QVERIFY(!admin.hello().nodeId.isEmpty());
    QVERIFY(!admin.hello().clusterId.isEmpty());

    AdminClient readOnly;
    connectAdmin(readOnly, u"read-only"_s);
    QCOMPARE(readOnly.hello().role, u"read-only"_s);
    QVERIFY(!readOnly.hello().isAdmin());
    std::optional<AdminReply> reply;
    readOnly.request(u"kick"_s, {{u"connection"_s, u"nobody"_s}}, this,
                     [&reply](const AdminReply &r) { reply = r; });
    QTRY_VERIFY(reply.has_value());
    QVERIFY(!reply->isOk());
    QCOMPARE(reply->error().code, u"forbidden"_s);
}

void tst_LiveNode::wrongKeyIsRefused()
{
    AdminClient client;
    QSignalSpy refused(&client, &AdminClient::refused);
    client.open(endpoint(*m_node), u"dna_not_the_key_of_this_node_0000000000000000"_s);
    QTRY_COMPARE(client.state(), AdminClient::State::Refused);
    QCOMPARE(refused.size(), 1);
    QCOMPARE(refused.first().first().value<AdminError>().code, u"unauthorized"_s);
}

void tst_LiveNode::modelsFillFromTheStreams()
{
    AdminClient client;
    ClusterSession session(&client);
    connectAdmin(client);

    QTRY_COMPARE(session.nodes()->rowCount(), 1);
    const QJsonObject self = session.nodes()->items().at(0);
    QCOMPARE(self.value("id"_L1).toString(), client.hello().nodeId);
    QCOMPARE(self.value("self"_L1).toBool(), true);
    QCOMPARE(self.value("state"_L1).toString(), u"alive"_s);

    QWebSocket pusher;
    const QString socketId = openPusherClient(pusher, u"live-orders"_s);
    QVERIFY(!socketId.isEmpty());
    const QString channelKey = m_node->appId() + u"/live-orders"_s;
    QTRY_VERIFY(session.channels()->items().contains(channelKey));
    QTRY_COMPARE(session.channels()->items().find(channelKey).value("subscribers"_L1).toInt(), 1);
    QCOMPARE(session.channels()->items().find(channelKey).value("name"_L1).toString(),
             u"live-orders"_s);
    QVERIFY(session.channels()->total() >= 1);

    QTRY_VERIFY(!findItem(*session.connections(), u"protocol"_s, u"pusher"_s).isEmpty());
    QTRY_VERIFY(!session.traffic()->samples().isEmpty());
    QTRY_VERIFY(session.traffic()->samples().last().total.connections >= 1);
    QVERIFY(session.traffic()->nodeIds().contains(client.hello().nodeId));
    pusher.close();
}

void tst_LiveNode::kickedConnectionLeavesTheModel()
{
    AdminClient client;
    ClusterSession session(&client);
    connectAdmin(client);

    QWebSocket pusher;
    QSignalSpy closed(&pusher, &QWebSocket::disconnected);
    openPusherClient(pusher, u"kick-me"_s);
    QJsonObject connection;
    QTRY_VERIFY(
            !(connection = findItem(*session.connections(), u"protocol"_s, u"pusher"_s)).isEmpty());
    const QString key = connection.value("key"_L1).toString();

    const QString id = connection.value("id"_L1).toString();
    QVERIFY(!id.isEmpty());
    std::optional<AdminReply> reply;
    session.kick(connection.value("node"_L1).toString(), id, this,
                 [&reply](const AdminReply &r) { reply = r; });
    QTRY_VERIFY(reply.has_value());
    QVERIFY2(reply->isOk(), qPrintable(reply->error().message));
    QTRY_VERIFY(!session.connections()->items().contains(key));
    QTRY_COMPARE(closed.size(), 1);
}

void tst_LiveNode::issuedConnectionTokenIsAccepted()
{
    AdminClient client;
    ClusterSession session(&client);
    connectAdmin(client);

    ClusterSession::TokenRequest request;
    request.app = m_node->appId();
    request.kind = u"connection"_s;
    request.subject = u"user-42"_s;
    request.expiresInSeconds = 600;
    std::optional<AdminReply> issued;
    session.issueToken(request, this, [&issued](const AdminReply &r) { issued = r; });
    QTRY_VERIFY(issued.has_value());
    QVERIFY2(issued->isOk(), qPrintable(issued->error().message));
    const QString token = issued->result().value("token"_L1).toString();
    QCOMPARE(token.count(u'.'), 2);
    QVERIFY(issued->result().value("expires_at"_L1).toInteger()
            > QDateTime::currentSecsSinceEpoch());

    QWebSocket centrifuge;
    QStringList received;
    connect(&centrifuge, &QWebSocket::textMessageReceived, this,
            [&received](const QString &text) { received.append(text); });
    QSignalSpy opened(&centrifuge, &QWebSocket::connected);
    centrifuge.open(QUrl(u"ws://127.0.0.1:%1/connection/websocket"_s.arg(m_node->port())));
    QTRY_COMPARE(opened.size(), 1);
    centrifuge.sendTextMessage(
            compact({{u"id"_s, 1}, {u"connect"_s, QJsonObject{{u"token"_s, token}}}}));
    QTRY_VERIFY(!received.isEmpty());
    const QJsonObject reply = parse(received.first().split(u'\n').first());
    QCOMPARE(reply.value("id"_L1).toInt(), 1);
    QVERIFY2(reply.contains("connect"_L1), qPrintable(received.first()));
    QVERIFY(!reply.contains("error"_L1));
    QTRY_VERIFY(!findItem(*session.connections(), u"user"_s, u"user-42"_s).isEmpty());
    centrifuge.close();
}

void tst_LiveNode::appCommandsChangeTheListedApps()
{
    AdminClient client;
    ClusterSession session(&client);
    connectAdmin(client);
    // Listed on connecting: the node's default app, from its data directory.
    QTRY_VERIFY(session.apps()->find(m_node->appId()).has_value());
    QCOMPARE(session.apps()->find(m_node->appId())->key, m_node->appKey());
    QVERIFY(!session.apps()->find(m_node->appId())->secret.isEmpty());

    std::optional<AdminReply> created;
    session.createApp(this, [&created](const AdminReply &r) { created = r; });
    QTRY_VERIFY(created.has_value());
    QVERIFY2(created->isOk(), qPrintable(created->error().message));
    const QString id = created->result().value("app"_L1).toObject().value("id"_L1).toString();
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY(session.apps()->find(id).has_value());
    const AppCredentials before = *session.apps()->find(id);
    QVERIFY(before.managed);
    QVERIFY(before.enabled);

    std::optional<AdminReply> rotated;
    session.rotateApp(id, this, [&rotated](const AdminReply &r) { rotated = r; });
    QTRY_VERIFY(rotated.has_value());
    QVERIFY2(rotated->isOk(), qPrintable(rotated->error().message));
    QTRY_VERIFY(session.apps()->find(id)->key != before.key);
    QVERIFY(session.apps()->find(id)->secret != before.secret);

    std::optional<AdminReply> disabled;
    session.setAppEnabled(id, false, this, [&disabled](const AdminReply &r) { disabled = r; });
    QTRY_VERIFY(disabled.has_value());
    QVERIFY2(disabled->isOk(), qPrintable(disabled->error().message));
    QTRY_VERIFY(!session.apps()->find(id)->enabled);

    std::optional<AdminReply> missing;
    session.rotateApp(u"999999999"_s, this, [&missing](const AdminReply &r) { missing = r; });
    QTRY_VERIFY(missing.has_value());
    QCOMPARE(missing->error().code, u"not_found"_s);
}

void tst_LiveNode::changedCertificateIsRefused()
{
    NodeProcess node(QStringLiteral(DNOTIFIER_NODE_PATH), m_dir.filePath(u"recert"_s));
    QVERIFY2(node.start(), qPrintable(node.errorString()));
    const QString pinned = node.fingerprint();
    const QString key = node.adminKey(u"admin"_s);
    {
        AdminClient client;
        client.open(endpoint(node), key);
        QTRY_COMPARE(client.state(), AdminClient::State::Connected);
    }
    node.stop();
    const QDir data(node.dataDir());
    for (const QString &name : data.entryList({u"admin-tls-*.pem"_s}, QDir::Files)) {
        QVERIFY(QFile::remove(data.filePath(name)));
    }
    QVERIFY(data.entryList({u"admin-tls-*.pem"_s}, QDir::Files).isEmpty());
    QVERIFY2(node.start(), qPrintable(node.errorString()));
    QVERIFY(node.fingerprint() != pinned);

    AdminClient client;
    QSignalSpy changed(&client, &AdminClient::certificateChanged);
    client.open({u"127.0.0.1"_s, node.adminPort(), pinned}, key);
    QTRY_COMPARE(client.state(), AdminClient::State::Refused);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).toString(), pinned);
    QCOMPARE(changed.first().at(1).toString(), node.fingerprint());
}

QTEST_GUILESS_MAIN(tst_LiveNode)
#include "tst_livenode.moc"
