#pragma once

// Pusher channel names: which kind a name denotes and whether it is legal.
// Pure functions shared by the node (subscribe, HTTP API) and the console (publish form).

#include <common/result.h>

#include <QString>

namespace DNotifier::Pusher {

enum class ChannelKind {
    Public,
    Private,
    PrivateEncrypted,
    Presence,
    ServerToUser,
};

struct ChannelType
{
    ChannelKind kind = ChannelKind::Public;
    bool isCache = false;

    bool needsAuth() const
    {
        return kind != ChannelKind::Public && kind != ChannelKind::ServerToUser;
    }

    bool allowsClientEvents() const
    {
        return kind == ChannelKind::Private || kind == ChannelKind::Presence;
    }
};

inline constexpr int DefaultMaxChannelNameLength = 200;
inline constexpr int DefaultMaxEventNameLength = 200;
inline const QLatin1StringView ServerToUserPrefix("#server-to-user-");

ChannelType channelType(const QString &name);

// Letters, digits and `_ - = @ , . ;`, with a leading `#` allowed only for server-to-user
// channels. The error message names the channel and the rule it broke.
Result<void> validateChannelName(const QString &name, int maxLength);

Result<void> validateEventName(const QString &name, int maxLength);

// The user id of a `#server-to-user-{id}` channel, or an empty string for any other name.
QString serverToUserId(const QString &channel);

} // namespace DNotifier::Pusher
