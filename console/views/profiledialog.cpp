#include "profiledialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace DNotifier::Console {

ProfileDialog::ProfileDialog(const Profile &profile, QWidget *parent)
    : QDialog(parent)
    , m_profile(profile)
    , m_name(new QLineEdit(profile.name))
    , m_host(new QLineEdit(profile.host))
    , m_port(new QSpinBox)
    , m_key(new QLineEdit)
    , m_pin(new QLabel)
    , m_forgetPin(new QPushButton(tr("F&orget pinned certificate")))
    , m_problem(new QLabel)
{
    setWindowTitle(profile.id.isEmpty() ? tr("New profile") : tr("Edit profile"));
    m_port->setRange(1, 65535);
    m_port->setValue(profile.port);
    m_host->setToolTip(tr("The node's admin address. It listens on loopback; reach a remote "
                          "node through an SSH tunnel: ssh -L 6003:127.0.0.1:6003 server"));
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(profile.id.isEmpty() ? tr("From admin-keys.json on the node")
                                                   : tr("Leave empty to keep the saved key"));
    m_pin->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_pin->setWordWrap(true);
    m_pin->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_problem->setWordWrap(true);
    showPin();
    connect(m_forgetPin, &QPushButton::clicked, this, [this] {
        m_profile.pinnedFingerprint.clear();
        showPin();
    });

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Host:"), m_host);
    form->addRow(tr("&Port:"), m_port);
    form->addRow(tr("Admin &key:"), m_key);
    auto *pinRow = new QHBoxLayout;
    pinRow->addWidget(m_pin, 1);
    pinRow->addWidget(m_forgetPin);
    form->addRow(tr("Pinned certificate:"), pinRow);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &ProfileDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ProfileDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
}

void ProfileDialog::showPin()
{
    m_pin->setText(m_profile.pinnedFingerprint.isEmpty()
                           ? tr("None yet: you will be asked on first connection.")
                           : m_profile.pinnedFingerprint);
    m_forgetPin->setEnabled(!m_profile.pinnedFingerprint.isEmpty());
}

Profile ProfileDialog::profile() const
{
    Profile profile = m_profile;
    profile.name = m_name->text().trimmed();
    profile.host = m_host->text().trimmed();
    profile.port = quint16(m_port->value());
    return profile;
}

QString ProfileDialog::adminKey() const
{
    return m_key->text().trimmed();
}

void ProfileDialog::accept()
{
    const Profile candidate = profile();
    if (candidate.name.isEmpty()) {
        m_problem->setText(tr("Give the profile a name."));
        m_name->setFocus();
        return;
    }
    if (candidate.host.isEmpty()) {
        m_problem->setText(tr("Name the host of the node's admin channel."));
        m_host->setFocus();
        return;
    }
    if (m_profile.id.isEmpty() && adminKey().isEmpty()) {
        m_problem->setText(tr("Paste an admin key; the node wrote them to admin-keys.json in "
                              "its data directory."));
        m_key->setFocus();
        return;
    }
    QDialog::accept();
}

} // namespace DNotifier::Console
