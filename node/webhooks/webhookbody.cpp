#include "webhookbody.h"

#include <common/json/jsonwriter.h>

namespace DNotifier::Webhooks {

using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray eventJson(const WebhookEvent &event)
{
    Json::ObjectWriter writer;
    writer.string("name"_L1, event.name).string("channel"_L1, event.channel);
    if (!event.userId.isEmpty()) {
        writer.string("user_id"_L1, event.userId);
    }
    if (event.name == "client_event"_L1) {
        writer.string("event"_L1, event.event)
                .string("data"_L1, QString::fromUtf8(event.data))
                .string("socket_id"_L1, QString::fromLatin1(event.socketId));
    }
    if (event.subscriptionCount >= 0) {
        writer.integer("subscription_count"_L1, event.subscriptionCount);
    }
    return writer.finish();
}

} // namespace

QByteArray webhookBody(qint64 timeMs, const QList<WebhookEvent> &events)
{
    QByteArray list(1, '[');
    for (const WebhookEvent &event : events) {
        if (list.size() > 1) {
            list += ',';
        }
        list += eventJson(event);
    }
    list += ']';
    return Json::ObjectWriter().integer("time_ms"_L1, timeMs).raw("events"_L1, list).finish();
}

} // namespace DNotifier::Webhooks
