#include "trafficview.h"

#include <console/models/nodesmodel.h>
#include <console/models/traffichistory.h>

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int AxisSteps = 4;
// The shortest time the charts span: a fresh history fills the charts instead of showing as a
// sliver at the edge of the whole window, and the axis still reads as seconds.
constexpr qint64 MinimumSpanMs = 10'000;

// Room above the highest point, rounded up so that the axis's four steps are whole numbers.
qreal axisTop(qreal highest)
{
    const qint64 top = std::max<qint64>(AxisSteps, qint64(std::ceil(highest * 1.1)));
    return qreal((top + AxisSteps - 1) / AxisSteps * AxisSteps);
}

} // namespace

TrafficView::TrafficView(TrafficHistory *history, NodesModel *nodes, QWidget *parent)
    : QWidget(parent)
    , m_history(history)
    , m_nodes(nodes)
    , m_scope(new QComboBox)
    , m_messagesIn(new QLineSeries(this))
    , m_messagesOut(new QLineSeries(this))
    , m_connections(new QLineSeries(this))
{
    m_messagesIn->setName(tr("Messages in/s"));
    m_messagesOut->setName(tr("Messages out/s"));
    m_connections->setName(tr("Connections"));
    m_scope->addItem(tr("Whole cluster"), QString());
    auto *scopeLabel = new QLabel(tr("&Show:"));
    scopeLabel->setBuddy(m_scope);

    m_messagesChart = makeChart(tr("Messages per second"), {m_messagesIn, m_messagesOut});
    m_connectionsChart = makeChart(tr("Open connections"), {m_connections});
    auto *bar = new QHBoxLayout;
    bar->addWidget(scopeLabel);
    bar->addWidget(m_scope);
    bar->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    for (QChart *chart : {m_messagesChart.chart, m_connectionsChart.chart}) {
        auto *view = new QChartView(chart);
        view->setRenderHint(QPainter::Antialiasing);
        layout->addWidget(view, 1);
    }

    connect(m_history, &TrafficHistory::sampleAppended, this, [this] {
        updateScopes();
        redraw();
    });
    connect(m_history, &TrafficHistory::cleared, this, &TrafficView::redraw);
    connect(m_scope, &QComboBox::currentIndexChanged, this, &TrafficView::redraw);
}

// Charts take the application palette's colours (no fixed theme), so they follow a dark or
// light desktop like the rest of the window.
TrafficView::Chart TrafficView::makeChart(const QString &title, const QList<QLineSeries *> &series)
{
    Chart chart;
    chart.chart = new QChart;
    chart.chart->setTitle(title);
    chart.chart->setBackgroundBrush(palette().brush(QPalette::Base));
    chart.chart->setTitleBrush(palette().brush(QPalette::Text));
    chart.chart->legend()->setLabelColor(palette().color(QPalette::Text));
    chart.time = new QDateTimeAxis;
    chart.time->setFormat(u"HH:mm:ss"_s);
    chart.value = new QValueAxis;
    chart.value->setLabelFormat(u"%.0f"_s);
    chart.value->setMin(0);
    chart.value->setTickCount(AxisSteps + 1);
    for (QAbstractAxis *axis :
         {static_cast<QAbstractAxis *>(chart.time), static_cast<QAbstractAxis *>(chart.value)}) {
        axis->setLabelsColor(palette().color(QPalette::Text));
    }
    chart.chart->addAxis(chart.time, Qt::AlignBottom);
    chart.chart->addAxis(chart.value, Qt::AlignLeft);
    for (QLineSeries *line : series) {
        chart.chart->addSeries(line);
        line->attachAxis(chart.time);
        line->attachAxis(chart.value);
    }
    return chart;
}

void TrafficView::updateScopes()
{
    for (const QString &id : m_history->nodeIds()) {
        const QString label = tr("Node %1").arg(m_nodes->nameOf(id));
        const int index = m_scope->findData(id);
        if (index < 0) {
            m_scope->addItem(label, id);
        } else if (m_scope->itemText(index) != label) {
            m_scope->setItemText(index, label);
        }
    }
}

std::optional<TrafficFigures> TrafficView::figuresOf(const TrafficSample &sample) const
{
    const QString node = m_scope->currentData().toString();
    if (node.isEmpty()) {
        return sample.total;
    }
    const auto it = sample.nodes.constFind(node);
    return it == sample.nodes.cend() ? std::nullopt : std::optional(*it);
}

void TrafficView::redraw()
{
    QList<QPointF> in;
    QList<QPointF> out;
    QList<QPointF> connections;
    qreal messagesMax = 1;
    qreal connectionsMax = 1;
    for (const TrafficSample &sample : m_history->samples()) {
        const std::optional<TrafficFigures> figures = figuresOf(sample);
        if (!figures) {
            continue;
        }
        const qreal x = qreal(sample.at);
        in.append({x, qreal(figures->messagesIn)});
        out.append({x, qreal(figures->messagesOut)});
        connections.append({x, qreal(figures->connections)});
        messagesMax =
                std::max({messagesMax, qreal(figures->messagesIn), qreal(figures->messagesOut)});
        connectionsMax = std::max(connectionsMax, qreal(figures->connections));
    }
    m_messagesIn->replace(in);
    m_messagesOut->replace(out);
    m_connections->replace(connections);

    const QList<TrafficSample> &samples = m_history->samples();
    const qint64 newest =
            samples.isEmpty() ? QDateTime::currentMSecsSinceEpoch() : samples.constLast().at;
    const qint64 oldest = samples.isEmpty() ? newest : samples.constFirst().at;
    const qint64 span =
            std::clamp<qint64>(newest - oldest, MinimumSpanMs,
                               std::max<qint64>(MinimumSpanMs, m_history->window().count()));
    const QDateTime end = QDateTime::fromMSecsSinceEpoch(newest);
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(newest - span);
    for (const Chart &chart : {m_messagesChart, m_connectionsChart}) {
        chart.time->setRange(start, end);
    }
    m_messagesChart.value->setMax(axisTop(messagesMax));
    m_connectionsChart.value->setMax(axisTop(connectionsMax));
}

} // namespace DNotifier::Console
