#pragma once

// A connection profile: where a node's admin channel is and which certificate it showed when
// the user approved it. The admin key is not here; it lives in a SecretStore under `id`.

#include <QString>

namespace DNotifier::Console {

struct Profile
{
    // Stable across renames; names the profile's settings group and its keychain entry.
    QString id;
    QString name;
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6003;
    // Empty until the user approves the node's certificate on first contact.
    QString pinnedFingerprint;

    bool isValid() const { return !id.isEmpty() && !name.isEmpty() && !host.isEmpty() && port; }

    friend bool operator==(const Profile &, const Profile &) = default;
};

} // namespace DNotifier::Console
