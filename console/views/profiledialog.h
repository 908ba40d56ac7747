#pragma once

// Adds or edits a connection profile. The admin key typed here is handed to the caller, who
// puts it in the SecretStore; the dialog never shows a saved key.

#include <console/profiles/profile.h>

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace DNotifier::Console {

class ProfileDialog final : public QDialog
{
    Q_OBJECT

public:
    // An empty profile id means a new profile.
    explicit ProfileDialog(const Profile &profile, QWidget *parent = nullptr);

    Profile profile() const;
    // What was typed into the key field; empty means "keep the saved key".
    QString adminKey() const;

    QLineEdit *nameEdit() const { return m_name; }

    QLineEdit *hostEdit() const { return m_host; }

    QSpinBox *portBox() const { return m_port; }

    QLineEdit *keyEdit() const { return m_key; }

    QPushButton *forgetPinButton() const { return m_forgetPin; }

    void accept() override;

private:
    void showPin();

    Profile m_profile;
    QLineEdit *m_name;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QLineEdit *m_key;
    QLabel *m_pin;
    QPushButton *m_forgetPin;
    QLabel *m_problem;
};

} // namespace DNotifier::Console
