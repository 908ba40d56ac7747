#include "appspanel.h"

#include "copyablefield.h"

#include <console/models/appsmodel.h>
#include <console/session/clustersession.h>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QTableView>
#include <QVBoxLayout>

#include <utility>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

AppsPanel::AppsPanel(ClusterSession *session, QWidget *parent)
    : QGroupBox(tr("App credentials"), parent)
    , m_session(session)
    , m_table(new QTableView)
    , m_secret(new CopyableField(tr("Copy secret")))
    , m_showSecret(new QPushButton(tr("Sho&w secret")))
    , m_create(new QPushButton(tr("C&reate app")))
    , m_rotate(new QPushButton(tr("Ro&tate key and secret…")))
    , m_enable(new QPushButton(tr("Disa&ble…")))
    , m_status(new QLabel)
{
    m_table->setModel(session->apps());
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(AppsModel::KeyColumn,
                                                      QHeaderView::ResizeToContents);
    m_table->setAccessibleName(tr("Apps"));

    m_secret->setMasked(true);
    m_secret->setAccessibleName(tr("Secret of the selected app"));
    m_secret->copyButton()->setToolTip(tr("Copy the secret, even while hidden (Ctrl+Shift+C)"));
    new QShortcut(
            QKeySequence(tr("Ctrl+Shift+C")), this,
            [this] {
                if (m_secret->copyButton()->isEnabled()) {
                    m_secret->copyButton()->click();
                }
            },
            Qt::WidgetWithChildrenShortcut);
    m_showSecret->setCheckable(true);
    m_status->setWordWrap(true);
    layOut();
    wire();
    setAdminAllowed(false);
}

void AppsPanel::layOut()
{
    auto *secretRow = new QHBoxLayout;
    secretRow->addWidget(new QLabel(tr("Secret:")));
    secretRow->addWidget(m_secret, 1);
    secretRow->addWidget(m_showSecret);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_create);
    buttons->addWidget(m_rotate);
    buttons->addWidget(m_enable);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addLayout(secretRow);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
}

void AppsPanel::wire()
{
    connect(m_showSecret, &QPushButton::toggled, this, &AppsPanel::showSecret);
    connect(m_create, &QPushButton::clicked, this, &AppsPanel::createApp);
    connect(m_rotate, &QPushButton::clicked, this, &AppsPanel::rotateSelected);
    connect(m_enable, &QPushButton::clicked, this, &AppsPanel::toggleSelectedEnabled);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &AppsPanel::onSelectionChanged);
    AppsModel *apps = m_session->apps();
    connect(apps, &QAbstractItemModel::modelReset, this, &AppsPanel::onAppsChanged);
    connect(apps, &QAbstractItemModel::rowsInserted, this, &AppsPanel::onAppsChanged);
    connect(apps, &QAbstractItemModel::rowsRemoved, this, &AppsPanel::onAppsChanged);
    connect(apps, &QAbstractItemModel::dataChanged, this, &AppsPanel::onAppsChanged);
    connect(m_session, &ClusterSession::appsRefreshFailed, this, [this](const AdminError &error) {
        report(tr("The node did not list its apps: %1").arg(error.message));
    });
}

void AppsPanel::setAdminAllowed(bool allowed)
{
    m_adminAllowed = allowed;
    if (!allowed) {
        m_status->setText(tr("Listing and changing app credentials needs an admin key."));
    } else if (m_showingRoleHint) {
        m_status->clear();
    }
    m_showingRoleHint = !allowed;
    updateButtons();
}

QString AppsPanel::statusText() const
{
    return m_status->text();
}

std::optional<AppCredentials> AppsPanel::selectedApp() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        return std::nullopt;
    }
    return m_session->apps()->find(rows.first().data(AppsModel::IdRole).toString());
}

QString AppsPanel::selectedAppId() const
{
    const std::optional<AppCredentials> app = selectedApp();
    return app ? app->id : QString();
}

void AppsPanel::selectApp(const QString &id)
{
    const int row = m_session->apps()->rowOf(id);
    if (row < 0) {
        m_table->clearSelection();
        return;
    }
    m_table->selectRow(row);
}

// A secret stays hidden until asked for, and hides again when the selection moves on.
void AppsPanel::onSelectionChanged()
{
    m_showSecret->setChecked(false);
    const std::optional<AppCredentials> app = selectedApp();
    m_secret->setText(app ? app->secret : QString());
    updateButtons();
}

void AppsPanel::onAppsChanged()
{
    if (!m_selectWhenListed.isEmpty() && m_session->apps()->rowOf(m_selectWhenListed) >= 0) {
        selectApp(std::exchange(m_selectWhenListed, QString()));
        return;
    }
    const std::optional<AppCredentials> app = selectedApp();
    m_secret->setText(app ? app->secret : QString());
    updateButtons();
}

void AppsPanel::updateButtons()
{
    const std::optional<AppCredentials> app = selectedApp();
    const bool enabled = !app || app->enabled;
    m_enable->setText(enabled ? tr("Disa&ble…") : tr("Ena&ble"));
    m_create->setEnabled(m_adminAllowed);
    m_rotate->setEnabled(m_adminAllowed && app.has_value());
    m_enable->setEnabled(m_adminAllowed && app.has_value());
    m_showSecret->setEnabled(app.has_value());
    const QString readOnly = tr("Needs an admin key; this key is read-only.");
    m_create->setToolTip(m_adminAllowed ? tr("Create an app with a new id, key and secret")
                                        : readOnly);
    m_rotate->setToolTip(m_adminAllowed ? tr("Give the selected app a new key and secret")
                                        : readOnly);
    m_enable->setToolTip(!m_adminAllowed ? readOnly
                         : enabled ? tr("Close the selected app's connections and refuse new ones")
                                   : tr("Accept the selected app's connections again"));
}

void AppsPanel::showSecret(bool shown)
{
    m_secret->setMasked(!shown);
}

void AppsPanel::report(const QString &message)
{
    m_showingRoleHint = false;
    m_status->setText(message);
    Q_EMIT activity(message);
}

void AppsPanel::createApp()
{
    if (!m_adminAllowed) {
        return;
    }
    m_status->setText(tr("Creating an app…"));
    m_session->createApp(this, [this](const AdminReply &reply) {
        if (!reply.isOk()) {
            report(tr("The node did not create an app: %1").arg(reply.error().message));
            return;
        }
        const QString id = reply.result().value("app"_L1).toObject().value("id"_L1).toString();
        m_selectWhenListed = id;
        report(tr("Created app %1").arg(id));
    });
}

void AppsPanel::rotateSelected()
{
    const std::optional<AppCredentials> app = selectedApp();
    if (!m_adminAllowed || !app) {
        return;
    }
    const QString id = app->id;
    confirm(tr("Rotate app credentials"),
            tr("Give app %1 a new key and secret? The current ones stop working at once: existing "
               "clients need the new key, and servers the new secret, to connect or publish again. "
               "Connections that are open now stay open.")
                    .arg(id),
            tr("&Rotate"), [this, id] {
                m_status->setText(tr("Rotating the credentials of app %1…").arg(id));
                m_session->rotateApp(id, this, [this, id](const AdminReply &reply) {
                    report(reply.isOk()
                                   ? tr("App %1 has a new key and secret; clients need the new key")
                                             .arg(id)
                                   : tr("Rotating app %1 failed: %2")
                                             .arg(id, reply.error().message));
                });
            });
}

void AppsPanel::toggleSelectedEnabled()
{
    const std::optional<AppCredentials> app = selectedApp();
    if (!m_adminAllowed || !app) {
        return;
    }
    const QString id = app->id;
    if (!app->enabled) {
        setEnabledOf(id, true);
        return;
    }
    confirm(tr("Disable app"),
            tr("Disable app %1? Its connections are closed now, on every node, and new "
               "connections and HTTP API calls with its credentials are refused until it is "
               "enabled again.")
                    .arg(id),
            tr("&Disable"), [this, id] { setEnabledOf(id, false); });
}

void AppsPanel::setEnabledOf(const QString &id, bool enabled)
{
    m_session->setAppEnabled(id, enabled, this, [this, id, enabled](const AdminReply &reply) {
        if (!reply.isOk()) {
            report(enabled ? tr("Enabling app %1 failed: %2").arg(id, reply.error().message)
                           : tr("Disabling app %1 failed: %2").arg(id, reply.error().message));
            return;
        }
        report(enabled ? tr("Enabled app %1").arg(id)
                       : tr("Disabled app %1; its connections were closed").arg(id));
    });
}

// A window-modal box that does not block: the event loop, the streams and tests keep running.
void AppsPanel::confirm(const QString &title,
                        const QString &text,
                        const QString &acceptText,
                        std::function<void()> onAccept)
{
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Cancel, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *accept = box->addButton(acceptText, QMessageBox::AcceptRole);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [box, accept, onAccept = std::move(onAccept)] {
        if (box->clickedButton() == accept) {
            onAccept();
        }
    });
    box->open();
}

} // namespace DNotifier::Console
