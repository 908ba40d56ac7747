#pragma once

// TLS for peer links: the node's certificate and key, kept in the data directory and made
// (self-signed) on first use. Nodes do not verify each other's certificates against an
// authority; the handshake proofs cover the accepting node's certificate instead (peerlink.h).
// Runs at start, on the main thread.

#include <common/result.h>

#include <QLatin1StringView>
#include <QSslConfiguration>
#include <QString>

namespace DNotifier::Cluster {

inline constexpr QLatin1StringView PeerCertificateFileName("peer-tls-cert.pem");
inline constexpr QLatin1StringView PeerKeyFileName("peer-tls-key.pem");

struct PeerTls
{
    // For the listener: this node's certificate and key.
    QSslConfiguration server;
    // For dialled links.
    QSslConfiguration client;
    QByteArray certificateDigest;
};

Result<PeerTls> loadOrCreatePeerTls(const QString &dataDir);

} // namespace DNotifier::Cluster
