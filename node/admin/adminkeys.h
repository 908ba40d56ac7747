#pragma once

// The keys that open the admin channel: the two the node makes in its data directory on first
// start (one per role) plus any from the config file, matched in constant time.

#include <common/result.h>
#include <node/config/settings.h>

#include <QLatin1StringView>
#include <QList>

#include <optional>

namespace DNotifier::Admin {

inline constexpr QLatin1StringView AdminKeysFileName("admin-keys.json");
inline constexpr QLatin1StringView AdminCertificateFileName("admin-tls-cert.pem");
inline constexpr QLatin1StringView AdminKeyFileName("admin-tls-key.pem");

struct StoredAdminKeys
{
    QList<Config::AdminKey> keys;
    // True only on the start that made the file, so the keys are shown once.
    bool freshlyGenerated = false;
    QString filePath;
};

// Reads <dataDir>/admin-keys.json, making it (mode 0600) with a new admin key and a new
// read-only key when it is missing. A damaged file is an error: new keys would lock out every
// console that holds the old ones.
Result<StoredAdminKeys> loadOrCreateAdminKeys(const QString &dataDir);

QString roleName(Config::AdminRole role);

class AdminKeyring final
{
public:
    explicit AdminKeyring(const QList<Config::AdminKey> &keys);

    // The key presented, if it is one of ours. Every stored key is compared, each in time that
    // does not depend on the content, so the answer's timing says nothing about which bytes
    // matched.
    std::optional<Config::AdminKey> match(const QByteArray &presented) const;

private:
    struct Entry
    {
        Config::AdminKey key;
        QByteArray digest;
    };

    QList<Entry> m_entries;
};

} // namespace DNotifier::Admin
