#pragma once

// The live tail of the channel selected in the Channels tab: its publications as they reach
// the node, with pause (rows stand still, new ones wait) and a form that publishes a test
// event to the channel (admin role).

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace DNotifier::Console {

class ClusterSession;
class StreamSubscription;
class TailModel;

class TailPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit TailPanel(ClusterSession *session, QWidget *parent = nullptr);

    // Tails another channel; an empty channel stops tailing.
    void setChannel(const QString &app, const QString &channel);
    void setAdminAllowed(bool allowed);

    TailModel *model() const { return m_model; }

    QPushButton *pauseButton() const { return m_pause; }

    QPushButton *publishButton() const { return m_publish; }

    QString statusText() const;

Q_SIGNALS:
    void activity(const QString &message);

private:
    void publish();
    void updateStatus();
    void updateEnabled();

    ClusterSession *m_session;
    TailModel *m_model;
    QPointer<StreamSubscription> m_tail;
    QString m_app;
    QString m_channel;
    bool m_adminAllowed = false;
    QLabel *m_title;
    QLabel *m_status;
    QPushButton *m_pause;
    QPushButton *m_clear;
    QTableView *m_table;
    QLineEdit *m_event;
    QLineEdit *m_data;
    QPushButton *m_publish;
};

} // namespace DNotifier::Console
