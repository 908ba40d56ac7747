#pragma once

// A listener's TLS certificate and key, either from files the operator names or made
// (self-signed) in the data directory on first use and kept there, so that clients which
// pinned the certificate keep trusting it across restarts. Runs at start, on the main thread.

#include <common/result.h>

#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QString>

namespace DNotifier::Transport {

struct TlsIdentity
{
    QSslCertificate certificate;
    // The certificates that follow the leaf in its file (intermediates), sent with it so that
    // clients which trust only the root can build the path.
    QList<QSslCertificate> intermediates;
    QSslKey key;

    // TLS 1.2 or later, presenting this identity, not asking the peer for a certificate.
    QSslConfiguration serverConfiguration() const;
};

// Reads a PEM certificate, with any intermediates after it, and its private key (EC or RSA).
Result<TlsIdentity> loadTlsIdentity(const QString &certificatePath, const QString &keyPath);

// Reads `certificateName` and `keyName` in `dataDir`, after making them (EC P-256, with
// `commonName` as subject) when either is missing.
Result<TlsIdentity> loadOrCreateTlsIdentity(const QString &dataDir,
                                            const QString &certificateName,
                                            const QString &keyName,
                                            const QString &commonName);

} // namespace DNotifier::Transport
