#pragma once

// One event the node reports to an app's webhook endpoints (Pusher's webhook event names).

#include <QByteArray>
#include <QMetaType>
#include <QString>

namespace DNotifier::Webhooks {

struct WebhookEvent
{
    QString name;
    QString channel;
    QString userId;
    // client_event only: the event name, its data as JSON text, and the sender's socket.
    QString event;
    QByteArray data;
    QByteArray socketId;
    // subscription_count only.
    int subscriptionCount = -1;
    qint64 createdMs = 0;
};

} // namespace DNotifier::Webhooks

// Crosses from the broker thread to the webhook thread in a queued signal.
Q_DECLARE_METATYPE(DNotifier::Webhooks::WebhookEvent)
