#pragma once

// The Tokens tab (admin role): issues connection and subscription JWTs for an app, signed by
// the node with the app's secret, creates join tokens for new nodes, showing the command to
// paste on the new server, and manages the apps' credentials (AppsPanel).

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace DNotifier::Console {

class AppsPanel;
class ClusterSession;
class CopyableField;

class TokensView final : public QWidget
{
    Q_OBJECT

public:
    explicit TokensView(ClusterSession *session, QWidget *parent = nullptr);

    void setAdminAllowed(bool allowed);

    QComboBox *appBox() const { return m_app; }

    QComboBox *kindBox() const { return m_kind; }

    QLineEdit *subjectEdit() const { return m_subject; }

    QLineEdit *channelEdit() const { return m_channel; }

    QPushButton *issueButton() const { return m_issue; }

    QPushButton *joinButton() const { return m_join; }

    CopyableField *tokenField() const { return m_token; }

    CopyableField *commandField() const { return m_command; }

    AppsPanel *appsPanel() const { return m_apps; }

    void issueToken();
    void createJoinToken();

Q_SIGNALS:
    void activity(const QString &message);

private:
    QWidget *makeTokenForm();
    QWidget *makeJoinForm();
    void rememberApps();
    void updateKind();

    ClusterSession *m_session;
    bool m_adminAllowed = false;
    QComboBox *m_app;
    QComboBox *m_kind;
    QLineEdit *m_subject;
    QLineEdit *m_channel;
    QSpinBox *m_expiresIn;
    QLineEdit *m_info;
    QPushButton *m_issue;
    CopyableField *m_token;
    QLabel *m_tokenStatus;
    QSpinBox *m_joinTtl;
    QLineEdit *m_seeds;
    QPushButton *m_join;
    CopyableField *m_command;
    QLabel *m_joinStatus;
    AppsPanel *m_apps;
};

} // namespace DNotifier::Console
