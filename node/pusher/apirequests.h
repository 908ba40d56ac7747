#pragma once

// Validation of Pusher HTTP API request bodies and queries into plain values. Pure
// functions, safe from any thread; every error carries the HTTP status and the reason.

#include <common/result.h>
#include <node/broker/types.h>
#include <node/config/settings.h>

#include <QByteArray>
#include <QStringList>

namespace DNotifier::Pusher {

struct InfoRequest
{
    bool userCount = false;
    bool subscriptionCount = false;
    bool cache = false;

    bool any() const { return userCount || subscriptionCount || cache; }
};

struct TriggerItem
{
    QStringList channels;
    QString name;
    QByteArray data;
    QByteArray excludeSocketId;
    InfoRequest info;
};

Result<InfoRequest> parseInfo(const QByteArray &text);
Result<TriggerItem> parseTrigger(const QByteArray &body, const Config::AppSettings &app);
Result<QList<TriggerItem>> parseBatch(const QByteArray &body, const Config::AppSettings &app);

} // namespace DNotifier::Pusher
