#pragma once

// Verified Centrifuge requests that a session hands to the hub on the broker thread.

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace DNotifier::Centrifuge {

struct RecoverRequest
{
    bool recover = false;
    quint64 offset = 0;
    QString epoch;
};

struct ConnectRequest
{
    quint32 commandId = 0;
    QString appId;
    QString clientId;
    QString user;
    QByteArray connInfo;
    // Subscriptions the token asks the server to make (its "channels" claim).
    QStringList serverChannels;
    // Positions the client sends to recover those subscriptions (connect.subs).
    QHash<QString, RecoverRequest> recover;
    // Seconds since the epoch; 0 when the token does not expire.
    qint64 expiresAt = 0;
    int pingSeconds = 25;
};

struct SubscribeRequest
{
    quint32 commandId = 0;
    QString channel;
    RecoverRequest recover;
    QByteArray chanInfo;
    bool joinLeave = false;
    qint64 expiresAt = 0;
};

struct HistoryRequest
{
    quint32 commandId = 0;
    QString channel;
    // 0 answers only the stream position; a negative limit asks for as many as allowed.
    int limit = 0;
    std::optional<RecoverRequest> since;
    bool reverse = false;
};

} // namespace DNotifier::Centrifuge
