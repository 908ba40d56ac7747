#pragma once

// The Channels tab: one page of the cluster's channels with subscriber and presence counts,
// filtered by name (on the node, so every page matches) and sortable by any column; the
// selected channel's live tail below.

#include <QTimer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace DNotifier::Console {

class ClusterSession;
class TailPanel;

class ChannelsView final : public QWidget
{
    Q_OBJECT

public:
    explicit ChannelsView(ClusterSession *session, QWidget *parent = nullptr);

    void setAdminAllowed(bool allowed);

    QLineEdit *filterEdit() const { return m_filter; }

    QTableView *table() const { return m_table; }

    QSortFilterProxyModel *proxy() const { return m_proxy; }

    TailPanel *tail() const { return m_tail; }

    QString pageText() const;

Q_SIGNALS:
    void activity(const QString &message);

private:
    void applyFilterToNode();
    void turnPage(int direction);
    void updatePageText();
    void onSelectionChanged();

    ClusterSession *m_session;
    QLineEdit *m_filter;
    QLabel *m_page;
    QPushButton *m_previous;
    QPushButton *m_next;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    TailPanel *m_tail;
    QTimer m_filterTimer;
};

} // namespace DNotifier::Console
