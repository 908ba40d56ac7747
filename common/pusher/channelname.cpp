#include "channelname.h"

namespace DNotifier::Pusher {

namespace {

bool isAllowedChannelCharacter(QChar c)
{
    if (c.unicode() > 127) {
        return false;
    }
    const char ascii = char(c.unicode());
    if ((ascii >= 'a' && ascii <= 'z') || (ascii >= 'A' && ascii <= 'Z')
        || (ascii >= '0' && ascii <= '9')) {
        return true;
    }
    switch (ascii) {
    case '_':
    case '-':
    case '=':
    case '@':
    case ',':
    case '.':
    case ';':
        return true;
    default:
        return false;
    }
}

} // namespace

ChannelType channelType(const QString &name)
{
    using namespace Qt::Literals::StringLiterals;
    if (name.startsWith(ServerToUserPrefix)) {
        return {ChannelKind::ServerToUser, false};
    }
    if (name.startsWith("private-encrypted-"_L1)) {
        return {ChannelKind::PrivateEncrypted, name.startsWith("private-encrypted-cache-"_L1)};
    }
    if (name.startsWith("private-"_L1)) {
        return {ChannelKind::Private, name.startsWith("private-cache-"_L1)};
    }
    if (name.startsWith("presence-"_L1)) {
        return {ChannelKind::Presence, name.startsWith("presence-cache-"_L1)};
    }
    return {ChannelKind::Public, name.startsWith("cache-"_L1)};
}

Result<void> validateChannelName(const QString &name, int maxLength)
{
    if (name.isEmpty()) {
        return Error{0, QStringLiteral("Channel name must not be empty")};
    }
    if (name.size() > maxLength) {
        return Error{0, QStringLiteral("Channel name is %1 characters long, the limit is %2")
                                .arg(name.size())
                                .arg(maxLength)};
    }
    const int start = name.startsWith(ServerToUserPrefix) ? 1 : 0;
    for (int i = start; i < name.size(); ++i) {
        if (!isAllowedChannelCharacter(name.at(i))) {
            return Error{0,
                         QStringLiteral("Channel name %1 has an invalid character at position %2; "
                                        "allowed are letters, digits and _-=@,.;")
                                 .arg(name)
                                 .arg(i)};
        }
    }
    if (start == 1 && name.size() == ServerToUserPrefix.size()) {
        return Error{0, QStringLiteral("Server-to-user channel %1 names no user").arg(name)};
    }
    return {};
}

Result<void> validateEventName(const QString &name, int maxLength)
{
    if (name.isEmpty()) {
        return Error{0, QStringLiteral("Event name must not be empty")};
    }
    if (name.startsWith(QLatin1StringView("pusher:"))
        || name.startsWith(QLatin1StringView("pusher_internal:"))) {
        return Error{0, QStringLiteral("Event names starting with pusher: or pusher_internal: are "
                                       "reserved for the protocol")};
    }
    if (name.size() > maxLength) {
        return Error{0, QStringLiteral("Event name is %1 characters long, the limit is %2")
                                .arg(name.size())
                                .arg(maxLength)};
    }
    return {};
}

QString serverToUserId(const QString &channel)
{
    if (!channel.startsWith(ServerToUserPrefix)) {
        return {};
    }
    return channel.mid(ServerToUserPrefix.size());
}

} // namespace DNotifier::Pusher
