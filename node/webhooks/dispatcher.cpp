#include "dispatcher.h"

#include "webhookbody.h"

#include <common/crypto/digest.h>
#include <node/logging.h>

#include <QDateTime>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace DNotifier::Webhooks {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int RequestTimeoutMs = 10'000;
// Bounds on what an unreachable endpoint (or a client churning channels) can make the node
// hold: past them, leave events are sent without their delay and new deliveries are dropped.
constexpr qsizetype MaxHeldLeaves = 10'000;
constexpr qsizetype MaxPendingDeliveries = 100'000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString leaveKey(const QString &appId, const QString &channel, const QString &userId)
{
    return appId + u'\n' + channel + u'\n' + userId;
}

// subscription_count fires on every subscribe and unsubscribe, so like Pusher we send it only
// to endpoints that ask for it by name; an empty list means every other event.
bool wants(const Config::WebhookTarget &target, const QString &eventName)
{
    if (target.events.isEmpty()) {
        return eventName != "subscription_count"_L1;
    }
    return target.events.contains(eventName);
}

} // namespace

Dispatcher::Dispatcher(std::shared_ptr<const Apps::AppRegistry> apps,
                       const DispatcherTimings &timings,
                       QObject *parent)
    : QObject(parent)
    , m_apps(std::move(apps))
    , m_timings(timings)
    , m_network(new QNetworkAccessManager(this))
{ }

Dispatcher::~Dispatcher() = default;

void Dispatcher::report(const QString &appId, const WebhookEvent &event)
{
    const Config::AppSettings *app = m_apps->byId(appId);
    if (!app || app->webhooks.isEmpty() || cancelsPendingLeave(appId, event)) {
        return;
    }
    const bool isLeave = event.name == "channel_vacated"_L1 || event.name == "member_removed"_L1;
    if (isLeave && m_timings.leaveDelayMs > 0 && m_heldLeaves.size() < MaxHeldLeaves) {
        holdLeave(appId, event);
        return;
    }
    enqueue(appId, event);
}

bool Dispatcher::cancelsPendingLeave(const QString &appId, const WebhookEvent &event)
{
    QString key;
    if (event.name == "channel_occupied"_L1) {
        key = leaveKey(appId, event.channel, {});
    } else if (event.name == "member_added"_L1) {
        key = leaveKey(appId, event.channel, event.userId);
    } else {
        return false;
    }
    QTimer *held = m_heldLeaves.take(key);
    if (!held) {
        return false;
    }
    // A quick return: the leave and this return cancel out, so neither is reported.
    delete held;
    return true;
}

void Dispatcher::holdLeave(const QString &appId, const WebhookEvent &event)
{
    const QString userId = event.name == "member_removed"_L1 ? event.userId : QString();
    const QString key = leaveKey(appId, event.channel, userId);
    delete m_heldLeaves.take(key);
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, key, appId, event] {
        if (QTimer *done = m_heldLeaves.take(key)) {
            done->deleteLater();
        }
        enqueue(appId, event);
    });
    m_heldLeaves.insert(key, timer);
    timer->start(int(m_timings.leaveDelayMs));
}

void Dispatcher::enqueue(const QString &appId, const WebhookEvent &event)
{
    const Config::AppSettings *app = m_apps->byId(appId);
    if (!app) {
        return;
    }
    const bool batching = app->webhookBatchMilliseconds > 0;
    for (int i = 0; i < app->webhooks.size(); ++i) {
        if (!wants(app->webhooks.at(i), event.name)) {
            continue;
        }
        // Order is kept per channel, or per endpoint when events share one request.
        const QString key =
                appId + u'\n' + QString::number(i) + (batching ? QString() : u'\n' + event.channel);
        Queue &queue = m_queues[key];
        queue.appId = appId;
        queue.target = i;
        if (m_pendingDeliveries >= MaxPendingDeliveries) {
            if (m_droppedDeliveries++ % 1000 == 0) {
                qCWarning(lcWebhook) << "webhook backlog full, dropping events"
                                     << "app=" << appId << "dropped=" << m_droppedDeliveries;
            }
            continue;
        }
        if (!batching) {
            queue.deliveries.push_back({webhookBody(event.createdMs, {event}), 0, 0});
            ++m_pendingDeliveries;
            pump(key);
            continue;
        }
        queue.batch.append(event);
        if (queue.batch.size() == 1) {
            QTimer::singleShot(app->webhookBatchMilliseconds, this,
                               [this, key] { flushBatch(key); });
        }
    }
}

void Dispatcher::flushBatch(const QString &queueKey)
{
    auto it = m_queues.find(queueKey);
    if (it == m_queues.end() || it->batch.isEmpty()) {
        return;
    }
    it->deliveries.push_back({webhookBody(it->batch.first().createdMs, it->batch), 0, 0});
    ++m_pendingDeliveries;
    it->batch.clear();
    pump(queueKey);
}

void Dispatcher::pump(const QString &queueKey)
{
    auto it = m_queues.find(queueKey);
    if (it == m_queues.end() || it->inFlight || it->waiting || it->deliveries.empty()) {
        return;
    }
    const Config::AppSettings *app = m_apps->byId(it->appId);
    if (!app || it->target >= app->webhooks.size()) {
        m_pendingDeliveries -= qsizetype(it->deliveries.size());
        m_queues.erase(it);
        return;
    }
    Delivery &head = it->deliveries.front();
    if (head.attempts == 0) {
        head.firstAttemptMs = nowMs();
    }
    QNetworkRequest request(app->webhooks.at(it->target).url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("X-Pusher-Key", app->key);
    request.setRawHeader("X-Pusher-Signature", Crypto::hmacSha256Hex(app->secret, head.body));
    request.setTransferTimeout(RequestTimeoutMs);
    QNetworkReply *reply = m_network->post(request, head.body);
    it->inFlight = true;
    connect(reply, &QNetworkReply::finished, this,
            [this, queueKey, reply] { onReply(queueKey, reply); });
}

void Dispatcher::onReply(const QString &queueKey, QNetworkReply *reply)
{
    reply->deleteLater();
    auto it = m_queues.find(queueKey);
    if (it == m_queues.end()) {
        return;
    }
    it->inFlight = false;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    Delivery &head = it->deliveries.front();
    if (status >= 200 && status < 300) {
        it->deliveries.pop_front();
        --m_pendingDeliveries;
    } else {
        ++head.attempts;
        const qint64 backoff =
                qMin(m_timings.firstRetryMs << qMin(head.attempts - 1, 20), m_timings.maxRetryMs);
        if (nowMs() + backoff - head.firstAttemptMs > m_timings.retryWindowMs) {
            qCWarning(lcWebhook) << "webhook dropped after retries"
                                 << "app=" << it->appId
                                 << "url=" << reply->url().toString(QUrl::RemoveUserInfo)
                                 << "attempts=" << head.attempts << "status=" << status;
            it->deliveries.pop_front();
            --m_pendingDeliveries;
        } else {
            qCInfo(lcWebhook) << "webhook failed, retrying"
                              << "app=" << it->appId << "status=" << status << "in_ms=" << backoff;
            it->waiting = true;
            QTimer::singleShot(backoff, this, [this, queueKey] {
                auto waitingQueue = m_queues.find(queueKey);
                if (waitingQueue != m_queues.end()) {
                    waitingQueue->waiting = false;
                    pump(queueKey);
                }
            });
            return;
        }
    }
    if (it->deliveries.empty() && it->batch.isEmpty()) {
        m_queues.erase(it);
        return;
    }
    pump(queueKey);
}

} // namespace DNotifier::Webhooks
