// The main window offscreen, against the fake admin endpoint: profiles and their keys,
// first-contact approval, refusal of a changed certificate, the role deciding which commands
// are enabled, a visible message when the keychain is not available, the app credentials of
// the Tokens tab, and topology alerts in the activity log and as desktop notifications.

#include "fakeadminserver.h"

#include <console/models/appsmodel.h>
#include <console/models/nodesmodel.h>
#include <console/profiles/memorysecretstore.h>
#include <console/profiles/profilestore.h>
#include <console/session/clustersession.h>
#include <console/views/activitylog.h>
#include <console/views/appspanel.h>
#include <console/views/certificatechangeddialog.h>
#include <console/views/channelsview.h>
#include <console/views/connectionsview.h>
#include <console/views/copyablefield.h>
#include <console/views/fingerprintdialog.h>
#include <console/views/mainwindow.h>
#include <console/views/tailpanel.h>
#include <console/views/tokensview.h>
#include <console/views/topologyview.h>

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QGraphicsScene>
#include <QGuiApplication>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject app(const QString &id, bool enabled = true)
{
    return {{u"id"_s, id},
            {u"key"_s, QString(u"key-of-"_s + id)},
            {u"secret"_s, QString(u"secret-of-"_s + id)},
            {u"enabled"_s, enabled},
            {u"managed"_s, true}};
}

QJsonObject topologyNode(const QString &id, const QString &state)
{
    return {{u"key"_s, id},         {u"id"_s, id},       {u"name"_s, QString(u"node-"_s + id)},
            {u"region"_s, u"eu"_s}, {u"state"_s, state}, {u"self"_s, bool(id == u"a"_s)}};
}

// The visible message box under `parent`, once there is one.
QMessageBox *waitForBox(QWidget *parent)
{
    QMessageBox *found = nullptr;
    const auto visibleBox = [parent, &found] {
        found = nullptr;
        for (QMessageBox *box : parent->findChildren<QMessageBox *>()) {
            if (box->isVisible()) {
                found = box;
            }
        }
        return found != nullptr;
    };
    [&] { QTRY_VERIFY(visibleBox()); }();
    return found;
}

QAbstractButton *acceptButton(QMessageBox *box)
{
    for (QAbstractButton *button : box->buttons()) {
        if (box->buttonRole(button) == QMessageBox::AcceptRole) {
            return button;
        }
    }
    return nullptr;
}

} // namespace

class tst_MainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void startsDisconnectedWithEveryTab();
    void savedKeyGoesToTheSecretStoreOnly();
    void firstContactPinsTheApprovedCertificate();
    void changedCertificateShowsRefusal();
    void readOnlyRoleDisablesCommands();
    void unavailableKeychainIsShownAndNothingIsStored();
    void appsAreListedOnConnecting();
    void secretIsShownOnlyOnDemand();
    void rotatingAsksFirstAndRefreshes();
    void disablingAsksFirstEnablingDoesNot();
    void creatingAnAppSelectsIt();
    void topologyAlertIsLoggedAndNotified();
    void closingWithASelectedNodeIsSafe();

private:
    Profile saveLocalProfile(const QString &key, const QString &pin = {});
    // Connects with the fake's admin key, its certificate pinned.
    void connectLocal();

    AppsPanel *appsPanel() const { return m_window->tokensView()->appsPanel(); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ProfileStore> m_profiles;
    std::unique_ptr<MemorySecretStore> m_secrets;
    std::unique_ptr<FakeAdminServer> m_server;
    std::unique_ptr<MainWindow> m_window;
};

void tst_MainWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_profiles = std::make_unique<ProfileStore>(
            std::make_unique<QSettings>(m_dir->filePath(u"console.ini"_s), QSettings::IniFormat));
    m_secrets = std::make_unique<MemorySecretStore>();
    m_server = std::make_unique<FakeAdminServer>();
    QVERIFY(m_server->listen());
    m_window = std::make_unique<MainWindow>(m_profiles.get(), m_secrets.get());
    // A test must never block on a modal prompt.
    m_window->setKeyPrompt([](const QString &) { return QString(); });
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_MainWindow::cleanup()
{
    m_window.reset();
    m_server.reset();
    m_secrets.reset();
    m_profiles.reset();
    m_dir.reset();
}

Profile tst_MainWindow::saveLocalProfile(const QString &key, const QString &pin)
{
    Profile profile;
    profile.name = u"local"_s;
    profile.port = m_server->port();
    profile.pinnedFingerprint = pin;
    m_window->saveProfile(profile, key);
    const QList<Profile> saved = m_profiles->profiles();
    return saved.isEmpty() ? Profile{} : saved.first();
}

void tst_MainWindow::connectLocal()
{
    const Profile profile = saveLocalProfile(u"test-admin-key"_s, m_server->fingerprint());
    QTRY_VERIFY(m_secrets->contents().contains(profile.id));
    m_window->connectProfile(profile.id);
    QTRY_COMPARE(m_window->client()->state(), AdminClient::State::Connected);
}

void tst_MainWindow::startsDisconnectedWithEveryTab()
{
    QCOMPARE(m_window->windowTitle(), u"DNotifier Console"_s);
    QCOMPARE(m_window->stateText(), u"Disconnected"_s);
    QStringList tabs;
    for (int i = 0; i < m_window->tabs()->count(); ++i) {
        tabs.append(m_window->tabs()->tabText(i));
    }
    QCOMPARE(tabs, (QStringList{u"Topology"_s, u"Channels"_s, u"Traffic"_s, u"Connections"_s,
                                u"Tokens"_s}));
    QVERIFY(!m_window->drainAction()->isEnabled());
    QVERIFY(!m_window->tokensView()->issueButton()->isEnabled());
    // Tabs are reachable from the keyboard (View menu shortcuts).
    QTest::keyClick(m_window.get(), Qt::Key_3, Qt::ControlModifier);
    QCOMPARE(m_window->tabs()->currentIndex(), 2);
    QTest::keyClick(m_window.get(), Qt::Key_5, Qt::ControlModifier);
    QCOMPARE(m_window->tabs()->currentIndex(), 4);
    QVERIFY(!m_window->grab().isNull());
}

void tst_MainWindow::savedKeyGoesToTheSecretStoreOnly()
{
    const QString key = u"test-admin-key"_s;
    const Profile profile = saveLocalProfile(key);
    QVERIFY(profile.isValid());
    QTRY_COMPARE(m_secrets->contents().value(profile.id), key);
    QCOMPARE(m_window->profileBox()->count(), 1);
    QCOMPARE(m_window->profileBox()->currentData().toString(), profile.id);
    QFile settings(m_dir->filePath(u"console.ini"_s));
    QVERIFY(settings.open(QIODevice::ReadOnly));
    QVERIFY(!settings.readAll().contains(key.toUtf8()));
    QVERIFY(m_window->keychainProblem().isEmpty());
}

void tst_MainWindow::firstContactPinsTheApprovedCertificate()
{
    const Profile profile = saveLocalProfile(u"test-admin-key"_s);
    QTRY_VERIFY(m_secrets->contents().contains(profile.id));
    m_window->connectProfile(profile.id);

    FingerprintDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<FingerprintDialog *>()) != nullptr);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->fingerprint(), m_server->fingerprint());
    QCOMPARE(dialog->findChild<QLabel *>(u"fingerprint"_s)->text(), m_server->fingerprint());
    QVERIFY(m_window->stateText().startsWith(u"Waiting for you to approve"_s));
    QCOMPARE(m_server->connectionCount(), 0);
    dialog->accept();

    QTRY_COMPARE(m_window->client()->state(), AdminClient::State::Connected);
    QCOMPARE(m_profiles->find(profile.id)->pinnedFingerprint, m_server->fingerprint());
    QCOMPARE(m_window->stateText(), u"Connected to local (fake, region test) as admin"_s);
    QVERIFY(m_window->drainAction()->isEnabled());
    QVERIFY(m_window->tokensView()->issueButton()->isEnabled());
    QCOMPARE(m_profiles->lastUsedId(), profile.id);
}

void tst_MainWindow::changedCertificateShowsRefusal()
{
    const QString stale = u"AA:"_s.repeated(31) + u"AA"_s;
    const Profile profile = saveLocalProfile(u"test-admin-key"_s, stale);
    QTRY_VERIFY(m_secrets->contents().contains(profile.id));
    m_window->connectProfile(profile.id);

    CertificateChangedDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<CertificateChangedDialog *>()) != nullptr);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->findChild<QLabel *>(u"pinned"_s)->text(), stale);
    QCOMPARE(dialog->findChild<QLabel *>(u"presented"_s)->text(), m_server->fingerprint());
    QCOMPARE(m_window->client()->state(), AdminClient::State::Refused);
    QCOMPARE(m_window->stateText(), u"Refused: the node's certificate changed"_s);
    QVERIFY(m_server->requests().isEmpty());
    // The pin stays as it was: only the user can replace it.
    QCOMPARE(m_profiles->find(profile.id)->pinnedFingerprint, stale);
    QVERIFY(!dialog->grab().isNull());
}

void tst_MainWindow::readOnlyRoleDisablesCommands()
{
    m_server->setKey(u"read-only-key"_s, u"read-only"_s);
    const Profile profile = saveLocalProfile(u"read-only-key"_s, m_server->fingerprint());
    QTRY_VERIFY(m_secrets->contents().contains(profile.id));
    m_window->connectProfile(profile.id);
    QTRY_COMPARE(m_window->client()->state(), AdminClient::State::Connected);

    QVERIFY(m_window->stateText().endsWith(u"as read-only"_s));
    QVERIFY(!m_window->drainAction()->isEnabled());
    QVERIFY(!m_window->tokensView()->issueButton()->isEnabled());
    QVERIFY(!m_window->tokensView()->joinButton()->isEnabled());
    QVERIFY(!m_window->connectionsView()->kickButton()->isEnabled());
    QVERIFY(!m_window->channelsView()->tail()->publishButton()->isEnabled());
    AppsPanel *apps = appsPanel();
    for (QPushButton *button : {apps->createButton(), apps->rotateButton(), apps->enableButton()}) {
        QVERIFY(!button->isEnabled());
        QCOMPARE(button->toolTip(), u"Needs an admin key; this key is read-only."_s);
    }
    // A read-only key may not list apps: the console does not ask.
    QVERIFY(m_server->requestsFor(u"list_apps"_s).isEmpty());
    QVERIFY(apps->statusText().contains(u"needs an admin key"_s));
}

void tst_MainWindow::unavailableKeychainIsShownAndNothingIsStored()
{
    m_secrets->setAvailable(false);
    const Profile profile = saveLocalProfile(u"test-admin-key"_s);
    QVERIFY(profile.isValid());
    QTRY_VERIFY(!m_window->keychainProblem().isEmpty());
    QVERIFY(m_window->keychainProblem().contains(u"system keychain is not available"_s));
    QVERIFY(m_secrets->contents().isEmpty());
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = m_window->findChild<QMessageBox *>()) != nullptr);
    QTRY_VERIFY(box->isVisible());
    QCOMPARE(box->text(), m_window->keychainProblem());
    QFile settings(m_dir->filePath(u"console.ini"_s));
    QVERIFY(settings.open(QIODevice::ReadOnly));
    QVERIFY(!settings.readAll().contains("test-admin-key"));

    // Connecting asks for the key instead (the prompt here declines) and stays disconnected.
    QStringList prompts;
    m_window->setKeyPrompt([&prompts](const QString &reason) {
        prompts.append(reason);
        return QString();
    });
    m_window->connectProfile(profile.id);
    QTRY_COMPARE(prompts.size(), 1);
    QVERIFY(prompts.first().contains(u"keychain is not available"_s));
    QCOMPARE(m_window->client()->state(), AdminClient::State::Disconnected);
    QCOMPARE(m_server->connectionCount(), 0);
}

void tst_MainWindow::appsAreListedOnConnecting()
{
    m_server->setResult(u"list_apps"_s,
                        {{u"apps"_s, QJsonArray{app(u"1"_s), app(u"204518"_s, false)}}});
    connectLocal();
    AppsPanel *apps = appsPanel();
    QTRY_COMPARE(apps->table()->model()->rowCount(), 2);
    QCOMPARE(m_server->requestsFor(u"list_apps"_s).size(), 1);
    QCOMPARE(apps->table()->model()->index(1, AppsModel::KeyColumn).data().toString(),
             u"key-of-204518"_s);
    QCOMPARE(apps->table()->model()->index(1, AppsModel::EnabledColumn).data().toString(), u"no"_s);
    QVERIFY(apps->createButton()->isEnabled());
    // Rotating and disabling need a selected app.
    QVERIFY(!apps->rotateButton()->isEnabled());
    QVERIFY(!apps->enableButton()->isEnabled());
    QVERIFY(apps->secretField()->text().isEmpty());
    // The token form offers the listed apps.
    QVERIFY(m_window->tokensView()->appBox()->findText(u"204518"_s) >= 0);
}

void tst_MainWindow::secretIsShownOnlyOnDemand()
{
    m_server->setResult(u"list_apps"_s, {{u"apps"_s, QJsonArray{app(u"1"_s), app(u"2"_s)}}});
    connectLocal();
    AppsPanel *apps = appsPanel();
    QTRY_COMPARE(apps->table()->model()->rowCount(), 2);
    m_window->tabs()->setCurrentWidget(m_window->tokensView());
    apps->selectApp(u"1"_s);
    QCOMPARE(apps->selectedAppId(), u"1"_s);
    QCOMPARE(apps->secretField()->text(), u"secret-of-1"_s);
    QVERIFY(apps->secretField()->isMasked());
    QVERIFY(!apps->secretField()->displayText().contains(u"secret"_s));

    // Alt+W, the button's mnemonic, shows it (a mnemonic clicks after a short animation).
    QTest::keyClick(m_window.get(), Qt::Key_W, Qt::AltModifier);
    QTRY_VERIFY(apps->showSecretButton()->isChecked());
    QCOMPARE(apps->secretField()->displayText(), u"secret-of-1"_s);

    apps->secretField()->copyButton()->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), u"secret-of-1"_s);

    // Another app's secret starts hidden again.
    apps->selectApp(u"2"_s);
    QCOMPARE(apps->secretField()->text(), u"secret-of-2"_s);
    QVERIFY(apps->secretField()->isMasked());
    QVERIFY(!apps->showSecretButton()->isChecked());
}

void tst_MainWindow::rotatingAsksFirstAndRefreshes()
{
    m_server->setResult(u"list_apps"_s, {{u"apps"_s, QJsonArray{app(u"1"_s), app(u"2"_s)}}});
    m_server->setResult(u"rotate_app"_s, {{u"app"_s, app(u"2"_s)}});
    connectLocal();
    AppsPanel *apps = appsPanel();
    QTRY_COMPARE(apps->table()->model()->rowCount(), 2);
    apps->selectApp(u"2"_s);
    QVERIFY(apps->rotateButton()->isEnabled());

    apps->rotateButton()->click();
    QMessageBox *box = waitForBox(apps);
    QVERIFY(box);
    QVERIFY(box->text().contains(u"app 2"_s));
    QVERIFY(box->text().contains(u"existing clients need the new key"_s));
    box->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY(!box->isVisible());
    QVERIFY(m_server->requestsFor(u"rotate_app"_s).isEmpty());

    apps->rotateButton()->click();
    box = waitForBox(apps);
    QVERIFY(box);
    QVERIFY(acceptButton(box));
    acceptButton(box)->click();
    QTRY_COMPARE(m_server->requestsFor(u"rotate_app"_s).size(), 1);
    QCOMPARE(m_server->requestsFor(u"rotate_app"_s).first().value("params"_L1).toObject(),
             (QJsonObject{{u"app"_s, u"2"_s}}));
    QTRY_COMPARE(m_server->requestsFor(u"list_apps"_s).size(), 2);
    QTRY_VERIFY(apps->statusText().contains(u"clients need the new key"_s));
    QCOMPARE(apps->selectedAppId(), u"2"_s);
}

void tst_MainWindow::disablingAsksFirstEnablingDoesNot()
{
    m_server->setResult(u"list_apps"_s, {{u"apps"_s, QJsonArray{app(u"1"_s), app(u"2"_s, false)}}});
    m_server->setResult(u"set_app_enabled"_s, {{u"app"_s, app(u"1"_s)}});
    connectLocal();
    AppsPanel *apps = appsPanel();
    QTRY_COMPARE(apps->table()->model()->rowCount(), 2);

    apps->selectApp(u"1"_s);
    QCOMPARE(apps->enableButton()->text(), u"Disa&ble…"_s);
    apps->enableButton()->click();
    QMessageBox *box = waitForBox(apps);
    QVERIFY(box);
    QVERIFY(box->text().contains(u"connections are closed"_s));
    acceptButton(box)->click();
    QTRY_COMPARE(m_server->requestsFor(u"set_app_enabled"_s).size(), 1);
    QCOMPARE(m_server->requestsFor(u"set_app_enabled"_s).at(0).value("params"_L1).toObject(),
             (QJsonObject{{u"app"_s, u"1"_s}, {u"enabled"_s, false}}));
    QTRY_COMPARE(m_server->requestsFor(u"list_apps"_s).size(), 2);

    apps->selectApp(u"2"_s);
    QCOMPARE(apps->enableButton()->text(), u"Ena&ble"_s);
    apps->enableButton()->click();
    QTRY_COMPARE(m_server->requestsFor(u"set_app_enabled"_s).size(), 2);
    QCOMPARE(m_server->requestsFor(u"set_app_enabled"_s).at(1).value("params"_L1).toObject(),
             (QJsonObject{{u"app"_s, u"2"_s}, {u"enabled"_s, true}}));
    QTRY_COMPARE(m_server->requestsFor(u"list_apps"_s).size(), 3);
    QVERIFY(m_window->findChildren<QMessageBox *>().isEmpty()
            || !m_window->findChild<QMessageBox *>()->isVisible());
}

void tst_MainWindow::creatingAnAppSelectsIt()
{
    m_server->setResult(u"list_apps"_s, {{u"apps"_s, QJsonArray{app(u"1"_s)}}});
    connectLocal();
    AppsPanel *apps = appsPanel();
    QTRY_COMPARE(apps->table()->model()->rowCount(), 1);

    m_server->setResult(u"create_app"_s, {{u"app"_s, app(u"733001"_s)}});
    m_server->setResult(u"list_apps"_s, {{u"apps"_s, QJsonArray{app(u"1"_s), app(u"733001"_s)}}});
    apps->createButton()->click();
    QTRY_COMPARE(apps->table()->model()->rowCount(), 2);
    QCOMPARE(m_server->requestsFor(u"create_app"_s).size(), 1);
    QTRY_COMPARE(apps->selectedAppId(), u"733001"_s);
    QCOMPARE(apps->secretField()->text(), u"secret-of-733001"_s);
    QVERIFY(apps->secretField()->isMasked());
    QVERIFY(m_window->activityLog()->toPlainText().contains(u"Created app 733001"_s));
}

void tst_MainWindow::topologyAlertIsLoggedAndNotified()
{
    m_server->setSnapshot(u"topology"_s, {{u"nodes"_s, QJsonArray{topologyNode(u"a"_s, u"alive"_s),
                                                                  topologyNode(u"b"_s, u"alive"_s),
                                                                  topologyNode(u"c"_s, u"dead"_s)}},
                                          {u"links"_s, QJsonArray{QJsonObject{{u"key"_s, u"a|b"_s},
                                                                              {u"a"_s, u"a"_s},
                                                                              {u"b"_s, u"b"_s},
                                                                              {u"rtt_ms"_s, 2}}}}});
    QList<QStringList> notifications;
    m_window->setNotifier([&notifications](const QString &title, const QString &message) {
        notifications.append({title, message});
    });
    connectLocal();
    QTRY_COMPARE(m_window->session()->nodes()->rowCount(), 3);
    // The snapshot is the state found on connecting, dead node included: no news.
    QCOMPARE(notifications.size(), 0);

    m_server->sendDelta(u"topology"_s,
                        {{u"nodes"_s,
                          QJsonObject{{u"upsert"_s, QJsonArray{topologyNode(u"b"_s, u"suspect"_s)}},
                                      {u"remove"_s, QJsonArray()}}}});
    QTRY_COMPARE(notifications.size(), 1);
    const QString text = u"Node node-b is suspect: its peers stopped hearing from it"_s;
    QCOMPARE(notifications.first(), (QStringList{u"DNotifier: local"_s, text}));
    QVERIFY(m_window->activityLog()->toPlainText().contains(text));
}

// The window's models go before its views; a view must not read them while it is destroyed.
void tst_MainWindow::closingWithASelectedNodeIsSafe()
{
    m_server->setSnapshot(u"topology"_s,
                          {{u"nodes"_s, QJsonArray{topologyNode(u"a"_s, u"alive"_s),
                                                   topologyNode(u"b"_s, u"alive"_s)}}});
    connectLocal();
    TopologyView *topology = m_window->topologyView();
    QTRY_VERIFY(!topology->scene()->items().isEmpty());
    topology->selectNode(u"b"_s);
    QVERIFY(!topology->scene()->selectedItems().isEmpty());
    m_window.reset();
    QVERIFY(!m_window);
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
