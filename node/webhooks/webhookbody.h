#pragma once

// The JSON body of one webhook request: `{"time_ms":..,"events":[..]}`. Pure.

#include "webhookevent.h"

#include <QByteArray>
#include <QList>

namespace DNotifier::Webhooks {

QByteArray webhookBody(qint64 timeMs, const QList<WebhookEvent> &events);

} // namespace DNotifier::Webhooks
