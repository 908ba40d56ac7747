#pragma once

// The app credentials of the cluster, in the Tokens tab (admin role): the apps the node
// serves, the selected app's secret shown only on demand, and commands to create an app,
// rotate an app's key and secret, and disable or enable it. Rotating and disabling ask first,
// in a window-modal box, since clients of the app are cut off.

#include <QGroupBox>

#include <functional>
#include <optional>

class QLabel;
class QPushButton;
class QTableView;

namespace DNotifier::Console {

struct AppCredentials;
class ClusterSession;
class CopyableField;

class AppsPanel final : public QGroupBox
{
    Q_OBJECT

public:
    explicit AppsPanel(ClusterSession *session, QWidget *parent = nullptr);

    void setAdminAllowed(bool allowed);

    QTableView *table() const { return m_table; }

    CopyableField *secretField() const { return m_secret; }

    QPushButton *showSecretButton() const { return m_showSecret; }

    QPushButton *createButton() const { return m_create; }

    QPushButton *rotateButton() const { return m_rotate; }

    QPushButton *enableButton() const { return m_enable; }

    QString statusText() const;

    // The app selected in the table; empty when none.
    QString selectedAppId() const;
    void selectApp(const QString &id);

    void createApp();
    // Asks first; the rotation runs once the user agrees.
    void rotateSelected();
    // Disabling asks first; enabling does not.
    void toggleSelectedEnabled();

Q_SIGNALS:
    void activity(const QString &message);

private:
    void layOut();
    void wire();
    std::optional<AppCredentials> selectedApp() const;
    void onSelectionChanged();
    void onAppsChanged();
    void updateButtons();
    void showSecret(bool shown);
    void setEnabledOf(const QString &id, bool enabled);
    void confirm(const QString &title,
                 const QString &text,
                 const QString &acceptText,
                 std::function<void()> onAccept);
    void report(const QString &message);

    ClusterSession *m_session;
    bool m_adminAllowed = false;
    bool m_showingRoleHint = false;
    QTableView *m_table;
    CopyableField *m_secret;
    QPushButton *m_showSecret;
    QPushButton *m_create;
    QPushButton *m_rotate;
    QPushButton *m_enable;
    QLabel *m_status;
    // Selected once the refreshed list shows it: the app just created.
    QString m_selectWhenListed;
};

} // namespace DNotifier::Console
