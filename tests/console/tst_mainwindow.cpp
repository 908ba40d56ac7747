// The main window offscreen, against the fake admin endpoint: profiles and their keys,
// first-contact approval, refusal of a changed certificate, the role deciding which commands
// are enabled, and a visible message when the keychain is not available.

#include "fakeadminserver.h"

#include <console/profiles/memorysecretstore.h>
#include <console/profiles/profilestore.h>
#include <console/views/certificatechangeddialog.h>
#include <console/views/channelsview.h>
#include <console/views/connectionsview.h>
#include <console/views/fingerprintdialog.h>
#include <console/views/mainwindow.h>
#include <console/views/tailpanel.h>
#include <console/views/tokensview.h>

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

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

private:
    Profile saveLocalProfile(const QString &key, const QString &pin = {});

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

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
