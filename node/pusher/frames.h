#pragma once

// Pusher protocol 7 frames: parsing what clients send and building what the node sends.
// Pure functions without state, safe from any thread; the fuzzers drive parseClientFrame.

#include <common/result.h>
#include <node/broker/types.h>

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace DNotifier::Pusher {

struct ClientFrame
{
    QString event;
    // The top-level channel (client events carry it there).
    QString channel;
    QJsonValue data;
    // Client events only: the data value exactly as the client wrote it, forwarded without
    // re-serialising.
    QByteArray rawData;
};

Result<ClientFrame> parseClientFrame(const QByteArray &text);

// A JSON value re-serialised compactly (objects, arrays, strings, numbers).
QByteArray compactJson(const QJsonValue &value);

namespace Frames {

QByteArray connectionEstablished(const QByteArray &socketId, int activityTimeoutSeconds);
// A null code is sent for channel-scoped problems, as Pusher does.
QByteArray error(std::optional<int> code, const QString &message);
QByteArray ping();
QByteArray pong();
QByteArray subscriptionSucceeded(const QString &channel, const QByteArray &innerJson);
QByteArray subscriptionError(const QString &channel,
                             const QString &type,
                             const QString &message,
                             int status);
QByteArray event(const Broker::Publication &publication);
QByteArray memberAdded(const QString &channel, const Broker::PresenceMember &member);
QByteArray memberRemoved(const QString &channel, const QString &userId);
QByteArray cacheMiss(const QString &channel);
QByteArray subscriptionCount(const QString &channel, int count);
QByteArray signinSuccess(const QByteArray &userData);
QByteArray watchlistEvents(const QStringList &online, const QStringList &offline);

// `{"presence":{"ids":[...],"hash":{...},"count":n}}` for subscription_succeeded.
QByteArray presenceData(const QList<Broker::PresenceMember> &members);

} // namespace Frames

} // namespace DNotifier::Pusher
