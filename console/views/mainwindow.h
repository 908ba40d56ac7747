#pragma once

// The console's main window: a profile picker, the connection state in the status bar, the
// dialogs of certificate pinning, and one tab per view of the cluster. It owns the admin
// client and the cluster session; profiles and secrets come from the stores it is given.

#include <common/result.h>
#include <console/admin/adminclient.h>
#include <console/profiles/profile.h>

#include <QMainWindow>

#include <functional>

class QAction;
class QComboBox;
class QLabel;
class QSystemTrayIcon;
class QTabWidget;

namespace DNotifier::Console {

class ActivityLog;
class ChannelsView;
class ClusterSession;
class ConnectionsView;
class ProfileStore;
class SecretStore;
class TokensView;
class TopologyView;
class TrafficView;
struct TopologyAlert;
class TopologyAlerts;

class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    // Asks the user for an admin key when none can be read; an empty answer cancels.
    using KeyPrompt = std::function<QString(const QString &reason)>;
    // Shows a desktop notification. By default the system tray's, when there is a tray.
    using Notifier = std::function<void(const QString &title, const QString &message)>;

    MainWindow(ProfileStore *profiles, SecretStore *secrets, QWidget *parent = nullptr);
    ~MainWindow() override;

    void setKeyPrompt(KeyPrompt prompt) { m_keyPrompt = std::move(prompt); }

    void setNotifier(Notifier notifier) { m_notifier = std::move(notifier); }

    // Saves the profile and, when `key` is not empty, puts the key in the secret store.
    void saveProfile(const Profile &profile, const QString &key);
    void removeProfile(const QString &id);
    void connectProfile(const QString &id);
    void disconnectFromNode();

    AdminClient *client() const { return m_client; }

    ClusterSession *session() const { return m_session; }

    QComboBox *profileBox() const { return m_profileBox; }

    QTabWidget *tabs() const { return m_tabs; }

    TopologyView *topologyView() const { return m_topology; }

    ChannelsView *channelsView() const { return m_channels; }

    ConnectionsView *connectionsView() const { return m_connections; }

    TokensView *tokensView() const { return m_tokens; }

    ActivityLog *activityLog() const { return m_log; }

    QString stateText() const;

    // The last problem with the keychain, as shown to the user; empty when there was none.
    QString keychainProblem() const { return m_keychainProblem; }

    QAction *drainAction() const { return m_drainAction; }

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildTabs();
    void wireClient();
    void setUpNotifications();
    void onTopologyAlert(const TopologyAlert &alert);
    void reloadProfiles(const QString &selectId);
    QString selectedProfileId() const;
    void openWithKey(const Profile &profile, const QString &key);
    void onKeyRead(const Profile &profile, const Result<QString> &key);
    void onStateChanged(AdminClient::State state);
    void onApprovalRequested(const QString &fingerprint);
    void onCertificateChanged(const QString &pinned, const QString &presented);
    void onRefused(const AdminError &error);
    void showKeychainProblem(const Error &error);
    void newProfile();
    void editProfile();
    void confirmRemoveProfile();
    void confirmDrain();
    void updateActions();
    void log(const QString &message);
    QString endpointText() const;

    ProfileStore *m_profiles;
    SecretStore *m_secrets;
    AdminClient *m_client;
    ClusterSession *m_session;
    Profile m_current;
    KeyPrompt m_keyPrompt;
    Notifier m_notifier;
    QString m_keychainProblem;
    QString m_lastProblem;

    QComboBox *m_profileBox = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_keychainLabel = nullptr;
    QTabWidget *m_tabs = nullptr;
    ActivityLog *m_log = nullptr;
    TopologyView *m_topology = nullptr;
    ChannelsView *m_channels = nullptr;
    TrafficView *m_traffic = nullptr;
    ConnectionsView *m_connections = nullptr;
    TokensView *m_tokens = nullptr;
    TopologyAlerts *m_alerts = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QAction *m_connectAction = nullptr;
    QAction *m_disconnectAction = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_removeAction = nullptr;
    QAction *m_drainAction = nullptr;
};

} // namespace DNotifier::Console
