#include "clusteridentity.h"

#include <common/crypto/digest.h>
#include <common/tokens/base64url.h>
#include <node/config/privatefiles.h>
#include <node/logging.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

using namespace Qt::Literals::StringLiterals;

namespace DNotifier::Cluster {

namespace {

constexpr int GeneratedSecretBytes = 32;
constexpr int ClusterIdHexDigits = 32;

Error damaged(const QString &path, const QString &problem)
{
    return Error{0, u"%1: %2; repair the file, or delete it to start a new cluster (this node then "
                    "leaves the cluster it was in)"_s.arg(path, problem)};
}

Result<QByteArray> readSecret(const QString &path)
{
    const Result<QJsonObject> read = Config::readJsonObjectFile(path);
    if (!read) {
        return read.error().code == int(Config::PrivateFileError::NotAnObject)
                       ? damaged(path, read.error().message)
                       : Error{0, read.error().message};
    }
    // Unknown keys are ignored: a later version may store more here.
    const QJsonValue secret = read->value("secret"_L1);
    if (!secret.isString() || secret.toString().isEmpty()) {
        return damaged(path, u"\"secret\" is missing, empty or not a string"_s);
    }
    return secret.toString().toUtf8();
}

Result<void> writeSecret(const QString &path, const QByteArray &secret)
{
    // A JSON string holds text: bytes that are not UTF-8 would come back changed.
    const QString text = QString::fromUtf8(secret);
    if (text.toUtf8() != secret) {
        return Error{0, u"cannot write \"%1\": the cluster secret is not UTF-8 text"_s.arg(path)};
    }
    const QJsonObject object{{u"secret"_s, text}};
    return Config::writePrivateFile(path, QJsonDocument(object).toJson());
}

Result<void> storeSecret(const QString &dataDir, const QString &path, const QByteArray &secret)
{
    if (const Result<void> ready = Config::ensurePrivateDirectory(dataDir); !ready) {
        return ready;
    }
    return writeSecret(path, secret);
}

void warnReplaced(const ClusterIdentity &joined, const Result<QByteArray> &stored)
{
    if (stored) {
        qCWarning(lcCluster).nospace().noquote()
                << "Cluster secret replaced by the join token: left cluster="
                << clusterIdOf(*stored) << " joined cluster=" << joined.clusterId()
                << " file=" << joined.filePath;
    } else {
        qCWarning(lcCluster).nospace().noquote()
                << "Unreadable cluster file replaced by the join token: cluster="
                << joined.clusterId() << " file=" << joined.filePath
                << " reason=" << stored.error().message;
    }
}

// Joining is an explicit request, so it replaces whatever is stored, even a damaged file.
Result<ClusterIdentity> adoptJoinSecret(const QString &dataDir, ClusterIdentity identity)
{
    if (QFileInfo::exists(identity.filePath)) {
        const Result<QByteArray> stored = readSecret(identity.filePath);
        if (stored && *stored == identity.secret) {
            return identity;
        }
        warnReplaced(identity, stored);
    }
    if (const Result<void> written = storeSecret(dataDir, identity.filePath, identity.secret);
        !written) {
        return written.error();
    }
    return identity;
}

} // namespace

QString clusterIdOf(const QByteArray &secret)
{
    const QByteArray digest = Crypto::sha256("dnotifier cluster\n"_ba + secret);
    return u"c"_s + QString::fromLatin1(digest.toHex().left(ClusterIdHexDigits));
}

QString ClusterIdentity::clusterId() const
{
    return clusterIdOf(secret);
}

Result<ClusterIdentity> loadOrCreateClusterIdentity(const QString &dataDir,
                                                    const QByteArray &configuredSecret,
                                                    const QByteArray &joinSecret)
{
    ClusterIdentity identity;
    identity.filePath = QDir(dataDir).filePath(ClusterFileName);

    if (!configuredSecret.isEmpty()) {
        if (!joinSecret.isEmpty() && joinSecret != configuredSecret) {
            qCWarning(lcCluster).nospace().noquote()
                    << "Join token ignored: the configured cluster secret wins cluster="
                    << clusterIdOf(configuredSecret)
                    << " token_cluster=" << clusterIdOf(joinSecret);
        }
        identity.secret = configuredSecret;
        return identity;
    }
    if (!joinSecret.isEmpty()) {
        identity.secret = joinSecret;
        return adoptJoinSecret(dataDir, std::move(identity));
    }

    if (QFileInfo::exists(identity.filePath)) {
        Result<QByteArray> stored = readSecret(identity.filePath);
        if (!stored) {
            return stored.error();
        }
        identity.secret = std::move(stored).value();
        return identity;
    }

    identity.secret = Tokens::base64UrlEncode(Crypto::randomBytes(GeneratedSecretBytes));
    if (const Result<void> written = storeSecret(dataDir, identity.filePath, identity.secret);
        !written) {
        return written.error();
    }
    identity.freshlyGenerated = true;
    return identity;
}

} // namespace DNotifier::Cluster
