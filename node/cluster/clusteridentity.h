#pragma once

// The cluster secret every node of a cluster shares, and the public id derived from it. Peers
// prove membership with the secret; the id is sent in handshakes, printed in banners and join
// tokens, and lets a joiner check that it joins the cluster it meant to. Loaded once at
// startup (or by the join-token command) on the main thread, before the node listens.

#include <common/result.h>

#include <QByteArray>
#include <QLatin1StringView>
#include <QString>

namespace DNotifier::Cluster {

inline constexpr QLatin1StringView ClusterFileName("cluster.json");

struct ClusterIdentity
{
    QByteArray secret;
    // "c" and 32 lower-case hex digits of SHA-256("dnotifier cluster\n" + secret). Public: it
    // reveals nothing usable about the secret but changes whenever the secret does.
    QString clusterId() const;
    // True only on the call that generated a new secret, so the caller can say a new cluster
    // was started.
    bool freshlyGenerated = false;
    // <dataDir>/cluster.json, whether or not this call needed it.
    QString filePath;
};

// The same as ClusterIdentity::clusterId(), for a secret that has no identity around it (one read
// from a join token or a peer's handshake).
QString clusterIdOf(const QByteArray &secret);

// The secret comes from, in order: `configuredSecret` (never written to disk), `joinSecret`
// (from a join token; written to cluster.json, replacing any secret stored there), the stored
// cluster.json, or 32 new random bytes spelled as base64url and written to cluster.json.
// `dataDir` is created (mode 0700) when the file must be written; the file is JSON
// {"secret": "..."} written atomically with mode 0600. A damaged cluster.json is an error, not a
// reason to generate a new secret: that would split this node off its cluster.
Result<ClusterIdentity> loadOrCreateClusterIdentity(const QString &dataDir,
                                                    const QByteArray &configuredSecret,
                                                    const QByteArray &joinSecret);

} // namespace DNotifier::Cluster
