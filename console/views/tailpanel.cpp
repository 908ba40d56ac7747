#include "tailpanel.h"

#include <console/admin/streamsubscription.h>
#include <console/models/tailmodel.h>
#include <console/session/clustersession.h>

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QTableView>
#include <QVBoxLayout>

#include <climits>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

TailPanel::TailPanel(ClusterSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_model(new TailModel(this))
    , m_title(new QLabel)
    , m_status(new QLabel)
    , m_pause(new QPushButton(tr("Pa&use")))
    , m_clear(new QPushButton(tr("C&lear")))
    , m_table(new QTableView)
    , m_event(new QLineEdit(u"console-test"_s))
    , m_data(new QLineEdit(u"{}"_s))
    , m_publish(new QPushButton(tr("Pu&blish")))
{
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Hold the rows still; new publications wait (Ctrl+Shift+P)"));
    new QShortcut(QKeySequence(tr("Ctrl+Shift+P")), this, m_pause, &QPushButton::toggle,
                  Qt::WidgetWithChildrenShortcut);
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAccessibleName(tr("Live tail"));
    m_publish->setToolTip(tr("Publish the event to this channel, as the HTTP API would "
                             "(Ctrl+Return)"));
    new QShortcut(
            QKeySequence(tr("Ctrl+Return")), this,
            [this] {
                if (m_publish->isEnabled()) {
                    publish();
                }
            },
            Qt::WidgetWithChildrenShortcut);

    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_status);
    header->addWidget(m_pause);
    header->addWidget(m_clear);
    auto *form = new QFormLayout;
    auto *eventLabel = new QLabel(tr("&Event:"));
    eventLabel->setBuddy(m_event);
    auto *dataLabel = new QLabel(tr("&Data:"));
    dataLabel->setBuddy(m_data);
    auto *dataRow = new QHBoxLayout;
    dataRow->addWidget(m_data, 1);
    dataRow->addWidget(m_publish);
    form->addRow(eventLabel, m_event);
    form->addRow(dataLabel, dataRow);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_table, 1);
    layout->addLayout(form);

    connect(m_pause, &QPushButton::toggled, m_model, &TailModel::setPaused);
    connect(m_clear, &QPushButton::clicked, m_model, &TailModel::clear);
    connect(m_publish, &QPushButton::clicked, this, &TailPanel::publish);
    connect(m_model, &TailModel::countsChanged, this, &TailPanel::updateStatus);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_model->isPaused()) {
            m_table->scrollToBottom();
        }
    });
    setChannel({}, {});
}

void TailPanel::setChannel(const QString &app, const QString &channel)
{
    if (app == m_app && channel == m_channel && (m_tail || channel.isEmpty())) {
        return;
    }
    delete m_tail;
    m_model->clear();
    m_app = app;
    m_channel = channel;
    if (channel.isEmpty()) {
        m_title->setText(tr("Select a channel to tail it."));
    } else {
        m_title->setText(tr("Live tail of %1 (app %2)").arg(channel, app));
        m_tail = m_session->tail(app, channel, this);
        connect(m_tail, &StreamSubscription::deltaReceived, m_model, &TailModel::applyDelta);
        connect(m_tail, &StreamSubscription::failed, this, [this](const AdminError &error) {
            m_status->setText(tr("Cannot tail: %1").arg(error.message));
            Q_EMIT activity(tr("Tail of %1 refused: %2").arg(m_channel, error.message));
        });
    }
    updateStatus();
    updateEnabled();
}

void TailPanel::setAdminAllowed(bool allowed)
{
    m_adminAllowed = allowed;
    updateEnabled();
}

void TailPanel::updateEnabled()
{
    const bool canPublish = m_adminAllowed && !m_channel.isEmpty();
    m_event->setEnabled(canPublish);
    m_data->setEnabled(canPublish);
    m_publish->setEnabled(canPublish);
    m_publish->setToolTip(m_adminAllowed ? tr("Publish the event to this channel (Ctrl+Return)")
                                         : tr("Needs an admin key; this key is read-only."));
    m_pause->setEnabled(!m_channel.isEmpty());
}

QString TailPanel::statusText() const
{
    return m_status->text();
}

void TailPanel::updateStatus()
{
    QStringList parts;
    if (m_model->isPaused()) {
        parts.append(tr("paused, %n waiting", nullptr, m_model->waitingCount()));
    }
    if (m_model->droppedCount() > 0) {
        parts.append(tr("%n left out by the node's rate cap", nullptr,
                        int(std::min<qint64>(m_model->droppedCount(), INT_MAX))));
    }
    m_status->setText(parts.join(u"; "_s));
}

void TailPanel::publish()
{
    const QString event = m_event->text().trimmed();
    if (event.isEmpty()) {
        m_status->setText(tr("An event name is needed."));
        m_event->setFocus();
        return;
    }
    const QString channel = m_channel;
    m_session->publish(m_app, channel, event, m_data->text(), this,
                       [this, channel, event](const AdminReply &reply) {
                           const QString message =
                                   reply.isOk() ? tr("Published %1 to %2").arg(event, channel)
                                                : tr("Publishing to %1 failed: %2")
                                                          .arg(channel, reply.error().message);
                           m_status->setText(message);
                           Q_EMIT activity(message);
                       });
}

} // namespace DNotifier::Console
