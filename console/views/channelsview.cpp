#include "channelsview.h"

#include "tailpanel.h"

#include <console/models/channelsmodel.h>
#include <console/session/clustersession.h>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

ChannelsView::ChannelsView(ClusterSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_filter(new QLineEdit)
    , m_page(new QLabel)
    , m_previous(new QPushButton(tr("Previous pa&ge")))
    , m_next(new QPushButton(tr("Ne&xt page")))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView)
    , m_tail(new TailPanel(session))
{
    m_filter->setPlaceholderText(tr("Channel names containing…"));
    m_filter->setClearButtonEnabled(true);
    auto *filterLabel = new QLabel(tr("&Filter:"));
    filterLabel->setBuddy(m_filter);
    new QShortcut(QKeySequence::Find, this, m_filter, qOverload<>(&QWidget::setFocus),
                  Qt::WidgetWithChildrenShortcut);

    m_proxy->setSourceModel(session->channels());
    m_proxy->setSortRole(KeyedTableModel::SortRole);
    m_proxy->setFilterKeyColumn(ChannelsModel::NameColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ChannelsModel::SubscribersColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAccessibleName(tr("Channels"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(filterLabel);
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_page);
    bar->addWidget(m_previous);
    bar->addWidget(m_next);
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_table);
    splitter->addWidget(m_tail);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    // The table narrows at once; the node is asked again once typing pauses.
    m_filterTimer.setSingleShot(true);
    m_filterTimer.setInterval(300);
    connect(&m_filterTimer, &QTimer::timeout, this, &ChannelsView::applyFilterToNode);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text);
        m_filterTimer.start();
    });
    connect(m_previous, &QPushButton::clicked, this, [this] { turnPage(-1); });
    connect(m_next, &QPushButton::clicked, this, [this] { turnPage(1); });
    connect(session->channels(), &KeyedTableModel::totalChanged, this,
            &ChannelsView::updatePageText);
    connect(session->channels(), &QAbstractItemModel::modelReset, this,
            &ChannelsView::updatePageText);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ChannelsView::onSelectionChanged);
    connect(m_tail, &TailPanel::activity, this, &ChannelsView::activity);
    updatePageText();
}

void ChannelsView::setAdminAllowed(bool allowed)
{
    m_tail->setAdminAllowed(allowed);
}

void ChannelsView::applyFilterToNode()
{
    ClusterSession::Page page = m_session->channelsPage();
    if (page.filter == m_filter->text()) {
        return;
    }
    page.filter = m_filter->text();
    page.offset = 0;
    m_session->setChannelsPage(page);
    updatePageText();
}

void ChannelsView::turnPage(int direction)
{
    ClusterSession::Page page = m_session->channelsPage();
    page.offset = std::max(0, page.offset + direction * page.limit);
    m_session->setChannelsPage(page);
    updatePageText();
}

QString ChannelsView::pageText() const
{
    return m_page->text();
}

void ChannelsView::updatePageText()
{
    const ClusterSession::Page page = m_session->channelsPage();
    const qint64 total = m_session->channels()->total();
    if (total < 0) {
        m_page->clear();
    } else if (total == 0) {
        m_page->setText(tr("No channels"));
    } else {
        const qint64 last = std::min<qint64>(page.offset + page.limit, total);
        m_page->setText(tr("%1–%2 of %3").arg(page.offset + 1).arg(last).arg(total));
    }
    m_previous->setEnabled(page.offset > 0);
    m_next->setEnabled(total >= 0 && page.offset + page.limit < total);
}

void ChannelsView::onSelectionChanged()
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        return;
    }
    const QJsonObject channel = rows.first().data(KeyedTableModel::ItemRole).toJsonObject();
    m_tail->setChannel(channel.value("app"_L1).toString(), channel.value("name"_L1).toString());
}

} // namespace DNotifier::Console
