#include "connectionsview.h"

#include <console/models/connectionsmodel.h>
#include <console/session/clustersession.h>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <climits>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

ConnectionsView::ConnectionsView(ClusterSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_filter(new QLineEdit)
    , m_count(new QLabel)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView)
    , m_kick(new QPushButton(tr("&Kick connection")))
    , m_terminate(new QPushButton(tr("&Terminate user…")))
    , m_result(new QLabel)
{
    m_filter->setPlaceholderText(tr("Connection id, user id or address…"));
    m_filter->setClearButtonEnabled(true);
    auto *filterLabel = new QLabel(tr("&Filter:"));
    filterLabel->setBuddy(m_filter);
    new QShortcut(QKeySequence::Find, this, m_filter, qOverload<>(&QWidget::setFocus),
                  Qt::WidgetWithChildrenShortcut);

    m_proxy->setSourceModel(session->connections());
    m_proxy->setSortRole(KeyedTableModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ConnectionsModel::ConnectedAtColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(ConnectionsModel::ConnectedAtColumn,
                                                      QHeaderView::ResizeToContents);
    m_table->setAccessibleName(tr("Connections"));
    m_kick->setToolTip(tr("Close the selected connection (Delete)"));
    new QShortcut(QKeySequence::Delete, m_table, this, &ConnectionsView::kickSelected,
                  Qt::WidgetShortcut);
    m_result->setWordWrap(true);

    auto *bar = new QHBoxLayout;
    bar->addWidget(filterLabel);
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_count);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_result, 1);
    buttons->addWidget(m_kick);
    buttons->addWidget(m_terminate);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);

    m_filterTimer.setSingleShot(true);
    m_filterTimer.setInterval(300);
    connect(&m_filterTimer, &QTimer::timeout, this, [this] {
        ClusterSession::Page page = m_session->connectionsPage();
        page.filter = m_filter->text();
        page.offset = 0;
        m_session->setConnectionsPage(page);
    });
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text);
        m_filterTimer.start();
    });
    connect(m_kick, &QPushButton::clicked, this, &ConnectionsView::kickSelected);
    connect(m_terminate, &QPushButton::clicked, this, &ConnectionsView::terminateSelectedUser);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ConnectionsView::updateButtons);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &ConnectionsView::updateButtons);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &ConnectionsView::updateButtons);
    connect(session->connections(), &KeyedTableModel::totalChanged, this,
            &ConnectionsView::updateCount);
    updateButtons();
    updateCount();
}

void ConnectionsView::setAdminAllowed(bool allowed)
{
    m_adminAllowed = allowed;
    updateButtons();
}

QJsonObject ConnectionsView::selectedConnection() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? QJsonObject()
                          : rows.first().data(KeyedTableModel::ItemRole).toJsonObject();
}

void ConnectionsView::updateButtons()
{
    const QJsonObject connection = selectedConnection();
    m_kick->setEnabled(m_adminAllowed && !connection.isEmpty());
    m_terminate->setEnabled(m_adminAllowed && !connection.value("user"_L1).toString().isEmpty());
    const QString readOnly = tr("Needs an admin key; this key is read-only.");
    m_kick->setToolTip(m_adminAllowed ? tr("Close the selected connection (Delete)") : readOnly);
    m_terminate->setToolTip(m_adminAllowed ? tr("Close every connection of this user on every node")
                                           : readOnly);
}

void ConnectionsView::updateCount()
{
    const qint64 total = m_session->connections()->total();
    m_count->setText(total < 0 ? QString()
                               : tr("%n connection(s) in the cluster", nullptr,
                                    int(std::min<qint64>(total, INT_MAX))));
}

void ConnectionsView::report(const QString &message)
{
    m_result->setText(message);
    Q_EMIT activity(message);
}

void ConnectionsView::kickSelected()
{
    const QJsonObject connection = selectedConnection();
    if (!m_adminAllowed || connection.isEmpty()) {
        return;
    }
    const QString id = connection.value("id"_L1).toString();
    m_session->kick(connection.value("node"_L1).toString(), id, this,
                    [this, id](const AdminReply &reply) {
                        report(reply.isOk() ? tr("Kicked connection %1").arg(id)
                                            : tr("Kicking %1 failed: %2")
                                                      .arg(id, reply.error().message));
                    });
}

void ConnectionsView::terminateSelectedUser()
{
    const QJsonObject connection = selectedConnection();
    const QString app = connection.value("app"_L1).toString();
    const QString user = connection.value("user"_L1).toString();
    if (!m_adminAllowed || user.isEmpty()) {
        return;
    }
    const auto answer =
            QMessageBox::question(this, tr("Terminate user"),
                                  tr("Close every connection of user %1 (app %2) on every node?")
                                          .arg(user, app));
    if (answer != QMessageBox::Yes) {
        return;
    }
    m_session->terminateUser(app, user, this, [this, user](const AdminReply &reply) {
        report(reply.isOk()
                       ? tr("Terminated the connections of user %1").arg(user)
                       : tr("Terminating user %1 failed: %2").arg(user, reply.error().message));
    });
}

} // namespace DNotifier::Console
