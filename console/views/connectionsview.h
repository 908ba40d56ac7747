#pragma once

// The Connections tab: the client connections of the whole cluster, filtered (on the node)
// by connection id, user or address, with commands to kick one connection or to end every
// connection of its user across the cluster (admin role).

#include <QTimer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace DNotifier::Console {

class ClusterSession;

class ConnectionsView final : public QWidget
{
    Q_OBJECT

public:
    explicit ConnectionsView(ClusterSession *session, QWidget *parent = nullptr);

    void setAdminAllowed(bool allowed);

    QLineEdit *filterEdit() const { return m_filter; }

    QTableView *table() const { return m_table; }

    QPushButton *kickButton() const { return m_kick; }

    QPushButton *terminateButton() const { return m_terminate; }

    // Kicks the selected connection; no confirmation, as a client may simply reconnect.
    void kickSelected();
    // Asks, then ends every connection of the selected connection's user.
    void terminateSelectedUser();

Q_SIGNALS:
    void activity(const QString &message);

private:
    QJsonObject selectedConnection() const;
    void updateButtons();
    void updateCount();
    void report(const QString &message);

    ClusterSession *m_session;
    QLineEdit *m_filter;
    QLabel *m_count;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QPushButton *m_kick;
    QPushButton *m_terminate;
    QLabel *m_result;
    QTimer m_filterTimer;
    bool m_adminAllowed = false;
};

} // namespace DNotifier::Console
