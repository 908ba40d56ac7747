#pragma once

// The Traffic tab: live line charts of the last minutes kept by TrafficHistory, messages in
// and out per second and open connections, for the whole cluster or one node. The time axis
// spans the samples kept: at least ten seconds, at most the history's window.

#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace DNotifier::Console {

class NodesModel;
class TrafficHistory;
struct TrafficFigures;
struct TrafficSample;

class TrafficView final : public QWidget
{
    Q_OBJECT

public:
    TrafficView(TrafficHistory *history, NodesModel *nodes, QWidget *parent = nullptr);

    QComboBox *scopeBox() const { return m_scope; }

    QLineSeries *messagesInSeries() const { return m_messagesIn; }

    QLineSeries *messagesOutSeries() const { return m_messagesOut; }

    QLineSeries *connectionsSeries() const { return m_connections; }

private:
    struct Chart
    {
        QChart *chart = nullptr;
        QDateTimeAxis *time = nullptr;
        QValueAxis *value = nullptr;
    };

    Chart makeChart(const QString &title, const QList<QLineSeries *> &series);
    void updateScopes();
    void redraw();
    // The figures of the selected scope in a sample; nullopt when that node is not in it.
    std::optional<TrafficFigures> figuresOf(const TrafficSample &sample) const;

    TrafficHistory *m_history;
    NodesModel *m_nodes;
    QComboBox *m_scope;
    QLineSeries *m_messagesIn;
    QLineSeries *m_messagesOut;
    QLineSeries *m_connections;
    Chart m_messagesChart;
    Chart m_connectionsChart;
};

} // namespace DNotifier::Console
