#include "adminkeys.h"

#include <common/crypto/digest.h>
#include <node/config/privatefiles.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int KeyRandomBytes = 24;

Config::AdminKey makeKey(const QString &name, Config::AdminRole role, QByteArrayView prefix)
{
    return {name, role, prefix.toByteArray() + Crypto::randomBytes(KeyRandomBytes).toHex()};
}

Result<QList<Config::AdminKey>> parseKeys(const QJsonObject &root, const QString &path)
{
    const Error damaged{0, u"%1 is damaged: expected {\"keys\": [{\"name\", \"role\", \"key\"}, "
                           "...]}; restore it from a backup, or delete it to have new keys made "
                           "(every console then needs the new key)"_s.arg(path)};
    QList<Config::AdminKey> keys;
    for (const QJsonValue &value : root.value("keys"_L1).toArray()) {
        const QJsonObject entry = value.toObject();
        const QString role = entry.value("role"_L1).toString();
        const QString key = entry.value("key"_L1).toString();
        if (entry.value("name"_L1).toString().isEmpty() || key.isEmpty()
            || (role != "admin"_L1 && role != "read-only"_L1)) {
            return damaged;
        }
        keys.append({entry.value("name"_L1).toString(),
                     role == "admin"_L1 ? Config::AdminRole::Admin : Config::AdminRole::ReadOnly,
                     key.toUtf8()});
    }
    if (keys.isEmpty()) {
        return damaged;
    }
    return keys;
}

} // namespace

QString roleName(Config::AdminRole role)
{
    return role == Config::AdminRole::Admin ? u"admin"_s : u"read-only"_s;
}

Result<StoredAdminKeys> loadOrCreateAdminKeys(const QString &dataDir)
{
    StoredAdminKeys stored;
    stored.filePath = QDir(dataDir).filePath(AdminKeysFileName);
    if (QFile::exists(stored.filePath)) {
        const Result<QJsonObject> root = Config::readJsonObjectFile(stored.filePath);
        if (!root) {
            return root.error();
        }
        Result<QList<Config::AdminKey>> keys = parseKeys(*root, stored.filePath);
        if (!keys) {
            return keys.error();
        }
        stored.keys = std::move(keys).value();
        return stored;
    }
    stored.keys = {makeKey(u"admin"_s, Config::AdminRole::Admin, "dna_"),
                   makeKey(u"read-only"_s, Config::AdminRole::ReadOnly, "dnr_")};
    QJsonArray entries;
    for (const Config::AdminKey &key : std::as_const(stored.keys)) {
        entries.append(QJsonObject{{"name"_L1, key.name},
                                   {"role"_L1, roleName(key.role)},
                                   {"key"_L1, QString::fromLatin1(key.key)}});
    }
    if (const Result<void> ready = Config::ensurePrivateDirectory(dataDir); !ready) {
        return ready.error();
    }
    const QByteArray content = QJsonDocument(QJsonObject{{"keys"_L1, entries}}).toJson();
    if (const Result<void> written = Config::writePrivateFile(stored.filePath, content); !written) {
        return written.error();
    }
    stored.freshlyGenerated = true;
    return stored;
}

AdminKeyring::AdminKeyring(const QList<Config::AdminKey> &keys)
{
    for (const Config::AdminKey &key : keys) {
        m_entries.append({key, Crypto::sha256(key.key)});
    }
}

std::optional<Config::AdminKey> AdminKeyring::match(const QByteArray &presented) const
{
    // Digests have one length whatever was presented, so the comparison time is fixed too.
    const QByteArray digest = Crypto::sha256(presented);
    std::optional<Config::AdminKey> found;
    for (const Entry &entry : m_entries) {
        if (Crypto::constantTimeEquals(digest, entry.digest) && !found) {
            found = entry.key;
        }
    }
    return found;
}

} // namespace DNotifier::Admin
