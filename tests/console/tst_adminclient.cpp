// The admin channel client against a fake admin endpoint: certificate pinning before any
// secret is sent, hello, replies by id, stream events, and resubscription after a reconnect.

#include "fakeadminserver.h"

#include <console/admin/adminclient.h>
#include <console/admin/streamsubscription.h>

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

class tst_AdminClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void firstContactAsksBeforeSendingAnything();
    void approvedFingerprintConnects();
    void changedCertificateIsRefused();
    void wrongKeyIsRefusedWithoutRetry();
    void repliesReachTheirRequest();
    void requestWhileDisconnectedFails();
    void streamEventsReachTheSubscription();
    void reconnectsAndSubscribesAgain();
    void changedParamsSubscribeAgain();
    void deletedSubscriptionUnsubscribes();

private:
    AdminClient::Endpoint endpoint(const QString &pin) const;
    void connectPinned(AdminClient &client);

    std::unique_ptr<FakeAdminServer> m_server;
};

void tst_AdminClient::init()
{
    m_server = std::make_unique<FakeAdminServer>();
    QVERIFY(m_server->listen());
}

void tst_AdminClient::cleanup()
{
    m_server.reset();
}

AdminClient::Endpoint tst_AdminClient::endpoint(const QString &pin) const
{
    return {u"127.0.0.1"_s, m_server->port(), pin};
}

void tst_AdminClient::connectPinned(AdminClient &client)
{
    client.setBackoff(50ms, 200ms);
    client.open(endpoint(m_server->fingerprint()), u"test-admin-key"_s);
    QTRY_COMPARE(client.state(), AdminClient::State::Connected);
}

void tst_AdminClient::firstContactAsksBeforeSendingAnything()
{
    AdminClient client;
    QSignalSpy approval(&client, &AdminClient::approvalRequested);
    client.open(endpoint({}), u"test-admin-key"_s);

    QTRY_COMPARE(approval.size(), 1);
    QCOMPARE(approval.first().first().toString(), m_server->fingerprint());
    QCOMPARE(client.state(), AdminClient::State::AwaitingApproval);
    QCOMPARE(client.presentedFingerprint(), m_server->fingerprint());
    // The handshake was cut before the WebSocket opened: the key never left.
    QCOMPARE(m_server->connectionCount(), 0);
    QVERIFY(m_server->requests().isEmpty());

    client.approveFingerprint(approval.first().first().toString());
    QTRY_COMPARE(client.state(), AdminClient::State::Connected);
    QCOMPARE(client.endpoint().pinnedFingerprint, m_server->fingerprint());
}

void tst_AdminClient::approvedFingerprintConnects()
{
    AdminClient client;
    QSignalSpy authenticated(&client, &AdminClient::authenticated);
    connectPinned(client);

    QCOMPARE(authenticated.size(), 1);
    QCOMPARE(client.hello().role, u"admin"_s);
    QCOMPARE(client.hello().nodeName, u"fake"_s);
    QCOMPARE(client.hello().clusterId, u"c1"_s);
    QVERIFY(client.hello().isAdmin());
    const QJsonObject hello = m_server->requests().first();
    QCOMPARE(hello.value("method"_L1).toString(), u"hello"_s);
    QCOMPARE(hello.value("params"_L1).toObject().value("key"_L1).toString(), u"test-admin-key"_s);
    QCOMPARE(hello.value("params"_L1).toObject().value("protocol"_L1).toInt(), 1);
}

void tst_AdminClient::changedCertificateIsRefused()
{
    const QString stalePin = m_server->fingerprint();
    QVERIFY(m_server->listen(m_server->port()));
    QVERIFY(m_server->fingerprint() != stalePin);

    AdminClient client;
    QSignalSpy changed(&client, &AdminClient::certificateChanged);
    QSignalSpy refused(&client, &AdminClient::refused);
    client.open(endpoint(stalePin), u"test-admin-key"_s);

    QTRY_COMPARE(client.state(), AdminClient::State::Refused);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).toString(), stalePin);
    QCOMPARE(changed.first().at(1).toString(), m_server->fingerprint());
    QCOMPARE(refused.size(), 1);
    QCOMPARE(refused.first().first().value<AdminError>().code, u"certificate_changed"_s);
    QCOMPARE(m_server->connectionCount(), 0);
    QVERIFY(m_server->requests().isEmpty());
}

void tst_AdminClient::wrongKeyIsRefusedWithoutRetry()
{
    AdminClient client;
    client.setBackoff(10ms, 20ms);
    QSignalSpy refused(&client, &AdminClient::refused);
    client.open(endpoint(m_server->fingerprint()), u"not-the-key"_s);

    QTRY_COMPARE(client.state(), AdminClient::State::Refused);
    QCOMPARE(refused.size(), 1);
    QCOMPARE(refused.first().first().value<AdminError>().code, u"unauthorized"_s);
    QCOMPARE(m_server->connectionCount(), 1);
    QCOMPARE(m_server->methods(), QStringList{u"hello"_s});
}

void tst_AdminClient::repliesReachTheirRequest()
{
    AdminClient client;
    connectPinned(client);

    QStringList answered;
    AdminError failure;
    client.request(u"kick"_s, {{u"connection"_s, u"c-1"_s}}, this, [&](const AdminReply &reply) {
        QVERIFY(reply.isOk());
        answered.append(
                reply.result().value("params"_L1).toObject().value("connection"_L1).toString());
    });
    client.request(u"fail"_s, {}, this, [&](const AdminReply &reply) {
        QVERIFY(!reply.isOk());
        failure = reply.error();
    });
    client.request(u"kick"_s, {{u"connection"_s, u"c-2"_s}}, this, [&](const AdminReply &reply) {
        answered.append(
                reply.result().value("params"_L1).toObject().value("connection"_L1).toString());
    });
    QTRY_COMPARE(answered.size(), 2);
    QCOMPARE(answered, (QStringList{u"c-1"_s, u"c-2"_s}));
    QCOMPARE(failure.code, u"failed"_s);
    QCOMPARE(failure.message, u"refused by fake"_s);
}

void tst_AdminClient::requestWhileDisconnectedFails()
{
    AdminClient client;
    std::optional<AdminError> failure;
    client.request(u"kick"_s, {}, this, [&](const AdminReply &reply) { failure = reply.error(); });
    QVERIFY(!failure);
    QTRY_VERIFY(failure.has_value());
    QCOMPARE(failure->code, u"disconnected"_s);
}

void tst_AdminClient::streamEventsReachTheSubscription()
{
    m_server->setSnapshot(u"topology"_s, {{u"nodes"_s, QJsonArray{}}});
    AdminClient client;
    connectPinned(client);

    StreamSubscription *topology = client.subscribe(u"topology"_s, {}, this);
    QSignalSpy snapshots(topology, &StreamSubscription::snapshotReceived);
    QSignalSpy deltas(topology, &StreamSubscription::deltaReceived);
    QTRY_COMPARE(snapshots.size(), 1);
    QVERIFY(topology->isActive());
    QVERIFY(snapshots.first().first().toJsonObject().contains("nodes"_L1));

    m_server->sendDelta(u"topology"_s, {{u"marker"_s, 7}});
    QTRY_COMPARE(deltas.size(), 1);
    QCOMPARE(deltas.first().first().toJsonObject().value("marker"_L1).toInt(), 7);
    delete topology;
}

void tst_AdminClient::reconnectsAndSubscribesAgain()
{
    AdminClient client;
    QSignalSpy lost(&client, &AdminClient::connectionLost);
    // Made before connecting: it is sent once the client is in.
    StreamSubscription *channels = client.subscribe(u"channels"_s, {{u"limit"_s, 5}}, this);
    QSignalSpy snapshots(channels, &StreamSubscription::snapshotReceived);
    connectPinned(client);
    QTRY_COMPARE(snapshots.size(), 1);

    m_server->dropClients();
    QTRY_COMPARE(lost.size(), 1);
    QTRY_COMPARE(snapshots.size(), 2);
    QCOMPARE(client.state(), AdminClient::State::Connected);
    QCOMPARE(m_server->connectionCount(), 2);
    QCOMPARE(m_server->methods(),
             (QStringList{u"hello"_s, u"subscribe"_s, u"hello"_s, u"subscribe"_s}));
    const QJsonObject again = m_server->requests().last().value("params"_L1).toObject();
    QCOMPARE(again.value("stream"_L1).toString(), u"channels"_s);
    QCOMPARE(again.value("limit"_L1).toInt(), 5);
    delete channels;
}

void tst_AdminClient::changedParamsSubscribeAgain()
{
    AdminClient client;
    connectPinned(client);
    StreamSubscription *channels = client.subscribe(u"channels"_s, {}, this);
    QSignalSpy snapshots(channels, &StreamSubscription::snapshotReceived);
    QTRY_COMPARE(snapshots.size(), 1);

    channels->setParams({{u"filter"_s, u"orders"_s}});
    QTRY_COMPARE(snapshots.size(), 2);
    QCOMPARE(m_server->methods(),
             (QStringList{u"hello"_s, u"subscribe"_s, u"unsubscribe"_s, u"subscribe"_s}));
    QCOMPARE(m_server->requests().last().value("params"_L1).toObject().value("filter"_L1),
             QJsonValue(u"orders"_s));
    delete channels;
}

void tst_AdminClient::deletedSubscriptionUnsubscribes()
{
    AdminClient client;
    connectPinned(client);
    StreamSubscription *tail = client.subscribe(u"tail"_s, {}, this);
    QTRY_VERIFY(tail->isActive());
    delete tail;
    QTRY_COMPARE(m_server->methods().last(), u"unsubscribe"_s);
    QCOMPARE(m_server->requests().last().value("params"_L1).toObject().value("stream"_L1).toInt(),
             1);
}

QTEST_GUILESS_MAIN(tst_AdminClient)
#include "tst_adminclient.moc"
