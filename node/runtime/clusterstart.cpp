#include "clusterstart.h"

#include <node/cluster/cluster.h>
#include <node/cluster/jointoken.h>
#include <node/config/privatefiles.h>
#include <node/logging.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTimeZone>

namespace DNotifier::Runtime {

using namespace Qt::Literals::StringLiterals;

namespace {

// The members this node saw last time it ran, kept by the cluster layer. A damaged file is
// only a lost hint: the node still has its configured seeds.
QList<QString> savedPeers(const QString &dataDir)
{
    const QString path = QDir(dataDir).filePath(Cluster::PeersFileName);
    if (!QFile::exists(path)) {
        return {};
    }
    const Result<QJsonObject> read = Config::readJsonObjectFile(path);
    if (!read) {
        qCWarning(lcCluster) << "ignoring" << path << ":" << read.error().message;
        return {};
    }
    QList<QString> peers;
    for (const QJsonValue &peer : read->value("peers"_L1).toArray()) {
        if (peer.isString() && Cluster::checkSeedAddress(peer.toString())
            && peers.size() < Cluster::MaxSavedPeers) {
            peers.append(peer.toString());
        }
    }
    return peers;
}

} // namespace

Result<ClusterStart> resolveClusterStart(const Config::NodeSettings &settings, qint64 nowSeconds)
{
    ClusterStart start;
    start.seeds = settings.cluster.seeds;
    for (const QString &peer : savedPeers(settings.dataDir)) {
        if (!start.seeds.contains(peer)) {
            start.seeds.append(peer);
        }
    }
    QByteArray joinSecret;
    if (!settings.cluster.joinToken.isEmpty()) {
        const Result<Cluster::JoinToken> token =
                Cluster::decodeJoinToken(settings.cluster.joinToken);
        if (!token) {
            return Error{0, u"join token: %1"_s.arg(token.error().message)};
        }
        for (const QString &seed : token->seeds) {
            if (!start.seeds.contains(seed)) {
                start.seeds.append(seed);
            }
        }
        const bool expired = token->expiresAt <= nowSeconds;
        if (!expired) {
            joinSecret = token->secret;
        } else {
            const QString stored = QDir(settings.dataDir).filePath(Cluster::ClusterFileName);
            const bool alreadyJoined = QFile::exists(stored);
            const QString when = QDateTime::fromSecsSinceEpoch(token->expiresAt, QTimeZone::utc())
                                         .toString(Qt::ISODate);
            if (!alreadyJoined) {
                return Error{0, u"the join token expired at %1; print a new one on a member "
                                "with `dnotifier-node join-token`"_s.arg(when)};
            }
        }
        const Result<Cluster::ClusterIdentity> identity =
                Cluster::loadOrCreateClusterIdentity(settings.dataDir, settings.cluster.secret,
                                                     joinSecret);
        if (!identity) {
            return identity.error();
        }
        if (expired && identity->secret != token->secret) {
            return Error{0, u"the join token expired and this node belongs to another cluster "
                            "(%1); print a new token on a member with `dnotifier-node "
                            "join-token`"_s.arg(identity->clusterId())};
        }
        start.identity = *identity;
        return start;
    }
    const Result<Cluster::ClusterIdentity> identity =
            Cluster::loadOrCreateClusterIdentity(settings.dataDir, settings.cluster.secret, {});
    if (!identity) {
        return identity.error();
    }
    start.identity = *identity;
    return start;
}

} // namespace DNotifier::Runtime
