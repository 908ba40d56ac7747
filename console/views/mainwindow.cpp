#include "mainwindow.h"

#include "activitylog.h"
#include "certificatechangeddialog.h"
#include "channelsview.h"
#include "connectionsview.h"
#include "fingerprintdialog.h"
#include "profiledialog.h"
#include "tokensview.h"
#include "topologyview.h"
#include "trafficview.h"

#include <console/models/topologyalerts.h>
#include <console/profiles/profilestore.h>
#include <console/profiles/secretstore.h>
#include <console/session/clustersession.h>

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QToolBar>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

MainWindow::MainWindow(ProfileStore *profiles, SecretStore *secrets, QWidget *parent)
    : QMainWindow(parent)
    , m_profiles(profiles)
    , m_secrets(secrets)
    , m_client(new AdminClient(this))
    , m_session(new ClusterSession(m_client, this))
{
    setWindowTitle(tr("DNotifier Console"));
    m_client->setClientName(u"dnotifier-console %1"_s.arg(QStringLiteral(DNOTIFIER_VERSION)));
    m_keyPrompt = [this](const QString &reason) {
        return QInputDialog::getText(this, tr("Admin key"),
                                     reason + u"\n\n"_s
                                             + tr("Enter the admin key for this connection:"),
                                     QLineEdit::Password);
    };
    m_log = new ActivityLog;
    buildTabs();
    buildActions();
    wireClient();
    setUpNotifications();

    m_stateLabel = new QLabel;
    m_keychainLabel = new QLabel;
    m_keychainLabel->setVisible(false);
    statusBar()->addWidget(m_stateLabel, 1);
    statusBar()->addPermanentWidget(m_keychainLabel);
    connect(m_profiles, &ProfileStore::profilesChanged, this,
            [this] { reloadProfiles(selectedProfileId()); });
    reloadProfiles(m_profiles->lastUsedId());
    onStateChanged(m_client->state());
    if (m_profiles->profiles().isEmpty()) {
        log(tr("No profiles yet: add one with Profile > New profile (Ctrl+N)."));
    }
    resize(1100, 720);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildTabs()
{
    m_topology = new TopologyView(m_session->nodes(), m_session->links());
    m_channels = new ChannelsView(m_session);
    m_traffic = new TrafficView(m_session->traffic(), m_session->nodes());
    m_connections = new ConnectionsView(m_session);
    m_tokens = new TokensView(m_session);
    m_tabs = new QTabWidget;
    // The tabs carry no mnemonics: letters are scarce once the menus and the forms inside the
    // tabs have theirs. View > (Ctrl+1 to Ctrl+5) and Ctrl+Tab switch tabs instead.
    m_tabs->addTab(m_topology, tr("Topology"));
    m_tabs->addTab(m_channels, tr("Channels"));
    m_tabs->addTab(m_traffic, tr("Traffic"));
    m_tabs->addTab(m_connections, tr("Connections"));
    m_tabs->addTab(m_tokens, tr("Tokens"));
    setCentralWidget(m_tabs);
    connect(m_channels, &ChannelsView::activity, this, &MainWindow::log);
    connect(m_connections, &ConnectionsView::activity, this, &MainWindow::log);
    connect(m_tokens, &TokensView::activity, this, &MainWindow::log);
    connect(m_session, &ClusterSession::streamFailed, this,
            [this](const QString &stream, const AdminError &error) {
                log(tr("The node would not open the %1 stream: %2").arg(stream, error.message));
            });

    auto *dock = new QDockWidget(tr("Activity"), this);
    dock->setObjectName(u"activity"_s);
    dock->setWidget(m_log);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
}

void MainWindow::buildActions()
{
    QMenu *profileMenu = menuBar()->addMenu(tr("&Profile"));
    m_connectAction = profileMenu->addAction(tr("&Connect"), this,
                                             [this] { connectProfile(selectedProfileId()); });
    m_connectAction->setShortcut(tr("Ctrl+K"));
    m_disconnectAction =
            profileMenu->addAction(tr("&Disconnect"), this, &MainWindow::disconnectFromNode);
    m_disconnectAction->setShortcut(tr("Ctrl+Shift+K"));
    profileMenu->addSeparator();
    QAction *newAction = profileMenu->addAction(tr("&New profile…"), this, &MainWindow::newProfile);
    newAction->setShortcut(QKeySequence::New);
    m_editAction = profileMenu->addAction(tr("&Edit profile…"), this, &MainWindow::editProfile);
    m_editAction->setShortcut(tr("Ctrl+E"));
    m_removeAction =
            profileMenu->addAction(tr("&Remove profile…"), this, &MainWindow::confirmRemoveProfile);
    profileMenu->addSeparator();
    QAction *quit = profileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    const QStringList menuTexts{tr("&Topology"), tr("&Channels"), tr("T&raffic"),
                                tr("C&onnections"), tr("Tok&ens")};
    for (int index = 0; index < m_tabs->count(); ++index) {
        QAction *show = viewMenu->addAction(menuTexts.value(index), this,
                                            [this, index] { m_tabs->setCurrentIndex(index); });
        show->setShortcut(QKeySequence(tr("Ctrl+%1").arg(index + 1)));
    }
    viewMenu->addSeparator();
    QAction *showLog = findChild<QDockWidget *>(u"activity"_s)->toggleViewAction();
    showLog->setShortcut(tr("Ctrl+L"));
    viewMenu->addAction(showLog);

    QMenu *nodeMenu = menuBar()->addMenu(tr("&Node"));
    m_drainAction = nodeMenu->addAction(tr("&Drain this node…"), this, &MainWindow::confirmDrain);

    m_profileBox = new QComboBox;
    m_profileBox->setMinimumContentsLength(20);
    m_profileBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_profileBox->setAccessibleName(tr("Profile"));
    auto *profileLabel = new QLabel(tr("Prof&ile:"));
    profileLabel->setBuddy(m_profileBox);
    QToolBar *toolBar = addToolBar(tr("Profile"));
    toolBar->setObjectName(u"profileToolBar"_s);
    toolBar->addWidget(profileLabel);
    toolBar->addWidget(m_profileBox);
    toolBar->addAction(m_connectAction);
    toolBar->addAction(m_disconnectAction);
    toolBar->addSeparator();
    toolBar->addAction(newAction);
    toolBar->addAction(m_editAction);
    connect(m_profileBox, &QComboBox::currentIndexChanged, this, &MainWindow::updateActions);
}

void MainWindow::wireClient()
{
    connect(m_client, &AdminClient::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_client, &AdminClient::approvalRequested, this, &MainWindow::onApprovalRequested);
    connect(m_client, &AdminClient::certificateChanged, this, &MainWindow::onCertificateChanged);
    connect(m_client, &AdminClient::refused, this, &MainWindow::onRefused);
    connect(m_client, &AdminClient::authenticated, this, [this](const HelloInfo &hello) {
        log(tr("Connected to %1 (node %2, region %3) with key \"%4\" (%5)")
                    .arg(endpointText(), hello.nodeName, hello.region, hello.keyName, hello.role));
    });
    connect(m_client, &AdminClient::connectionLost, this,
            [this](const QString &reason, int delayMs) {
                m_lastProblem = reason;
                log(tr("Connection to %1 lost: %2. Retrying in %3 s.")
                            .arg(endpointText(), reason)
                            .arg(qMax(1, (delayMs + 500) / 1000)));
                onStateChanged(m_client->state());
            });
}

void MainWindow::setUpNotifications()
{
    m_alerts = new TopologyAlerts(m_session->nodes(), m_session->links(), this);
    connect(m_alerts, &TopologyAlerts::alertRaised, this, &MainWindow::onTopologyAlert);
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        return;
    }
    m_tray = new QSystemTrayIcon(QIcon::fromTheme(u"network-server"_s,
                                                  style()->standardIcon(QStyle::SP_DriveNetIcon)),
                                 this);
    m_tray->setToolTip(windowTitle());
    connect(m_tray, &QSystemTrayIcon::activated, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    m_tray->show();
    m_notifier = [this](const QString &title, const QString &message) {
        m_tray->showMessage(title, message, QSystemTrayIcon::Warning);
    };
}

// Alerts come from stream deltas, so only while connected; the check keeps it that way should
// a model ever change otherwise.
void MainWindow::onTopologyAlert(const TopologyAlert &alert)
{
    if (m_client->state() != AdminClient::State::Connected) {
        return;
    }
    log(alert.text);
    if (m_notifier) {
        m_notifier(tr("DNotifier: %1").arg(m_current.name), alert.text);
    }
}

void MainWindow::reloadProfiles(const QString &selectId)
{
    const QSignalBlocker blocker(m_profileBox);
    m_profileBox->clear();
    for (const Profile &profile : m_profiles->profiles()) {
        m_profileBox->addItem(u"%1 (%2:%3)"_s.arg(profile.name, profile.host).arg(profile.port),
                              profile.id);
    }
    const int index = m_profileBox->findData(selectId);
    m_profileBox->setCurrentIndex(index >= 0 ? index : 0);
    updateActions();
}

QString MainWindow::selectedProfileId() const
{
    return m_profileBox->currentData().toString();
}

QString MainWindow::endpointText() const
{
    return u"%1:%2"_s.arg(m_current.host).arg(m_current.port);
}

void MainWindow::log(const QString &message)
{
    m_log->append(message);
}

void MainWindow::saveProfile(const Profile &profile, const QString &key)
{
    const Profile saved = m_profiles->save(profile);
    reloadProfiles(saved.id);
    log(tr("Saved profile \"%1\"").arg(saved.name));
    if (m_current.id == saved.id) {
        m_current = saved;
    }
    if (key.isEmpty()) {
        return;
    }
    m_secrets->write(saved.id, key, this, [this, name = saved.name](const Result<void> &result) {
        if (!result) {
            showKeychainProblem(result.error());
            return;
        }
        m_keychainProblem.clear();
        m_keychainLabel->setVisible(false);
        log(tr("The admin key of \"%1\" is in the system keychain").arg(name));
    });
}

// The key was not stored, and will not be stored anywhere else: the user must know.
void MainWindow::showKeychainProblem(const Error &error)
{
    m_keychainProblem =
            error.code == SecretStore::Unavailable
                    ? tr("The admin key was not saved: the system keychain is not available (%1). "
                         "The console keeps keys nowhere else, so it will ask for the key each time "
                         "you connect.")
                              .arg(error.message)
                    : tr("The admin key was not saved in the system keychain: %1")
                              .arg(error.message);
    m_keychainLabel->setText(tr("Keychain not available"));
    m_keychainLabel->setToolTip(m_keychainProblem);
    m_keychainLabel->setVisible(true);
    log(m_keychainProblem);
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Admin key not saved"), m_keychainProblem,
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::removeProfile(const QString &id)
{
    if (m_current.id == id) {
        disconnectFromNode();
        m_session->clear();
        m_current = {};
    }
    m_profiles->remove(id);
    m_secrets->remove(id, this, [this](const Result<void> &result) {
        if (!result) {
            log(tr("The admin key could not be removed from the keychain: %1")
                        .arg(result.error().message));
        }
    });
}

void MainWindow::connectProfile(const QString &id)
{
    const std::optional<Profile> profile = m_profiles->find(id);
    if (!profile) {
        return;
    }
    if (m_current.id != profile->id) {
        m_session->clear();
    }
    m_client->close();
    m_current = *profile;
    m_lastProblem.clear();
    m_profiles->setLastUsedId(profile->id);
    m_stateLabel->setText(tr("Reading the admin key of \"%1\"…").arg(profile->name));
    m_secrets->read(profile->id, this, [this, target = *profile](const Result<QString> &key) {
        onKeyRead(target, key);
    });
}

void MainWindow::onKeyRead(const Profile &profile, const Result<QString> &key)
{
    if (m_current.id != profile.id) {
        return;
    }
    if (key) {
        openWithKey(profile, key.value());
        return;
    }
    const QString reason =
            key.error().code == SecretStore::NotFound
                    ? tr("No admin key is saved for \"%1\".").arg(profile.name)
                    : tr("The admin key of \"%1\" cannot be read: the system keychain is not available "
                         "(%2).")
                              .arg(profile.name, key.error().message);
    log(reason);
    const QString typed = m_keyPrompt ? m_keyPrompt(reason).trimmed() : QString();
    if (typed.isEmpty()) {
        onStateChanged(m_client->state());
        return;
    }
    openWithKey(profile, typed);
}

void MainWindow::openWithKey(const Profile &profile, const QString &key)
{
    m_client->open({profile.host, profile.port, profile.pinnedFingerprint}, key);
}

void MainWindow::disconnectFromNode()
{
    m_client->close();
}

QString MainWindow::stateText() const
{
    return m_stateLabel->text();
}

void MainWindow::onStateChanged(AdminClient::State state)
{
    switch (state) {
    case AdminClient::State::Disconnected:
        m_stateLabel->setText(m_lastProblem.isEmpty()
                                      ? tr("Disconnected")
                                      : tr("Disconnected (%1); reconnecting").arg(m_lastProblem));
        break;
    case AdminClient::State::Connecting:
        m_stateLabel->setText(tr("Connecting to %1…").arg(endpointText()));
        break;
    case AdminClient::State::AwaitingApproval:
        m_stateLabel->setText(
                tr("Waiting for you to approve the certificate of %1").arg(endpointText()));
        break;
    case AdminClient::State::Authenticating:
        m_stateLabel->setText(tr("Authenticating with %1…").arg(endpointText()));
        break;
    case AdminClient::State::Connected: {
        const HelloInfo &hello = m_client->hello();
        m_lastProblem.clear();
        m_stateLabel->setText(
                tr("Connected to %1 (%2, region %3) as %4")
                        .arg(m_current.name, hello.nodeName, hello.region, hello.role));
        break;
    }
    case AdminClient::State::Refused:
        m_stateLabel->setText(tr("Refused: %1").arg(m_lastProblem));
        break;
    }
    updateActions();
}

void MainWindow::updateActions()
{
    const AdminClient::State state = m_client->state();
    const bool busy =
            state == AdminClient::State::Connecting || state == AdminClient::State::Authenticating
            || state == AdminClient::State::Connected
            || state == AdminClient::State::AwaitingApproval || m_client->isReconnecting();
    const bool hasProfile = !selectedProfileId().isEmpty();
    m_connectAction->setEnabled(hasProfile);
    m_disconnectAction->setEnabled(busy);
    m_editAction->setEnabled(hasProfile);
    m_removeAction->setEnabled(hasProfile);

    const bool admin = state == AdminClient::State::Connected && m_client->hello().isAdmin();
    m_drainAction->setEnabled(admin);
    m_drainAction->setToolTip(admin ? QString() : tr("Needs a connection with an admin key"));
    m_channels->setAdminAllowed(admin);
    m_connections->setAdminAllowed(admin);
    m_tokens->setAdminAllowed(admin);
}

void MainWindow::onApprovalRequested(const QString &fingerprint)
{
    log(tr("First contact with %1; certificate fingerprint %2").arg(endpointText(), fingerprint));
    auto *dialog = new FingerprintDialog(endpointText(), fingerprint, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString profileId = m_current.id;
    connect(dialog, &QDialog::accepted, this, [this, fingerprint, profileId] {
        if (m_current.id != profileId) {
            return;
        }
        m_current.pinnedFingerprint = fingerprint;
        m_current = m_profiles->save(m_current);
        log(tr("Pinned the certificate of %1").arg(endpointText()));
        m_client->approveFingerprint(fingerprint);
    });
    connect(dialog, &QDialog::rejected, this, [this, profileId] {
        if (m_current.id == profileId) {
            log(tr("Certificate of %1 not trusted; not connected").arg(endpointText()));
            m_client->close();
        }
    });
    dialog->open();
}

void MainWindow::onCertificateChanged(const QString &pinned, const QString &presented)
{
    log(tr("Refused %1: its certificate changed (pinned %2, presented %3)")
                .arg(endpointText(), pinned, presented));
    auto *dialog =
            new CertificateChangedDialog(m_current.name, endpointText(), pinned, presented, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::onRefused(const AdminError &error)
{
    m_lastProblem = error.code == AdminErrorCode::CertificateChanged
                            ? tr("the node's certificate changed")
                            : error.message;
    onStateChanged(m_client->state());
    if (error.code == AdminErrorCode::CertificateChanged) {
        return;
    }
    const QString text =
            error.code == AdminErrorCode::Unauthorized
                    ? tr("The node at %1 did not accept the admin key of \"%2\". Edit the profile and "
                         "paste a key from admin-keys.json in the node's data directory.")
                              .arg(endpointText(), m_current.name)
                    : tr("The node at %1 refused the connection: %2")
                              .arg(endpointText(), error.message);
    log(text);
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Connection refused"), text,
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::newProfile()
{
    ProfileDialog dialog(Profile{}, this);
    if (dialog.exec() == QDialog::Accepted) {
        saveProfile(dialog.profile(), dialog.adminKey());
    }
}

void MainWindow::editProfile()
{
    const std::optional<Profile> profile = m_profiles->find(selectedProfileId());
    if (!profile) {
        return;
    }
    ProfileDialog dialog(*profile, this);
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    const Profile edited = dialog.profile();
    saveProfile(edited, dialog.adminKey());
    // A connection made with the old address, pin or key is not what the user now wants.
    if (m_current.id == edited.id && m_client->state() != AdminClient::State::Disconnected) {
        connectProfile(edited.id);
    }
}

void MainWindow::confirmRemoveProfile()
{
    const std::optional<Profile> profile = m_profiles->find(selectedProfileId());
    if (!profile) {
        return;
    }
    const auto answer = QMessageBox::question(
            this, tr("Remove profile"),
            tr("Remove the profile \"%1\" and its admin key from the keychain?")
                    .arg(profile->name));
    if (answer == QMessageBox::Yes) {
        removeProfile(profile->id);
    }
}

void MainWindow::confirmDrain()
{
    const HelloInfo hello = m_client->hello();
    const auto answer = QMessageBox::question(
            this, tr("Drain node"),
            tr("Drain node %1? It leaves the cluster, closes its clients with their reconnect "
               "codes, and exits.")
                    .arg(hello.nodeName));
    if (answer != QMessageBox::Yes) {
        return;
    }
    m_session->drain(this, [this, name = hello.nodeName](const AdminReply &reply) {
        log(reply.isOk() ? tr("Node %1 is draining").arg(name)
                         : tr("Draining %1 failed: %2").arg(name, reply.error().message));
    });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_client->close();
    QMainWindow::closeEvent(event);
}

} // namespace DNotifier::Console
