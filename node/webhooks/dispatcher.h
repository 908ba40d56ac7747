#pragma once

// Delivers webhook events to each app's endpoints: signed like Pusher's (X-Pusher-Key,
// X-Pusher-Signature over the raw body), leave events held back briefly so a quick return
// cancels them, in order per channel (or per endpoint when batching), and retried with
// exponential backoff for a bounded window. Lives on its own thread so that a slow or dead
// endpoint never delays message delivery.

#include "webhookevent.h"

#include <node/apps/appregistry.h>

#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>

#include <deque>
#include <memory>

class QNetworkReply;

namespace DNotifier::Webhooks {

struct DispatcherTimings
{
    qint64 leaveDelayMs = 3000;
    qint64 retryWindowMs = 300'000;
    qint64 firstRetryMs = 1000;
    qint64 maxRetryMs = 60'000;
};

class Dispatcher final : public QObject
{
    Q_OBJECT

public:
    Dispatcher(std::shared_ptr<const Apps::AppRegistry> apps,
               const DispatcherTimings &timings,
               QObject *parent = nullptr);
    ~Dispatcher() override;

    void report(const QString &appId, const DNotifier::Webhooks::WebhookEvent &event);

private:
    struct Delivery
    {
        QByteArray body;
        qint64 firstAttemptMs = 0;
        int attempts = 0;
    };

    struct Queue
    {
        QString appId;
        int target = 0;
        std::deque<Delivery> deliveries;
        QList<WebhookEvent> batch;
        bool inFlight = false;
        bool waiting = false;
    };

    bool cancelsPendingLeave(const QString &appId, const WebhookEvent &event);
    void holdLeave(const QString &appId, const WebhookEvent &event);
    void enqueue(const QString &appId, const WebhookEvent &event);
    void flushBatch(const QString &queueKey);
    void pump(const QString &queueKey);
    void onReply(const QString &queueKey, QNetworkReply *reply);

    std::shared_ptr<const Apps::AppRegistry> m_apps;
    DispatcherTimings m_timings;
    QNetworkAccessManager *m_network;
    QHash<QString, QTimer *> m_heldLeaves;
    QHash<QString, Queue> m_queues;
    qsizetype m_pendingDeliveries = 0;
    qint64 m_droppedDeliveries = 0;
};

} // namespace DNotifier::Webhooks
