#include "peertls.h"

#include <node/transport/tlsidentity.h>

namespace DNotifier::Cluster {

using namespace Qt::Literals::StringLiterals;

Result<PeerTls> loadOrCreatePeerTls(const QString &dataDir)
{
    const Result<Transport::TlsIdentity> identity =
            Transport::loadOrCreateTlsIdentity(dataDir, PeerCertificateFileName, PeerKeyFileName,
                                               u"dnotifier peer"_s);
    if (!identity) {
        return identity.error();
    }
    PeerTls tls;
    tls.server = identity->serverConfiguration();
    tls.client = QSslConfiguration::defaultConfiguration();
    tls.client.setPeerVerifyMode(QSslSocket::VerifyNone);
    tls.client.setProtocol(QSsl::TlsV1_2OrLater);
    tls.certificateDigest = identity->certificate.digest(QCryptographicHash::Sha256);
    return tls;
}

} // namespace DNotifier::Cluster
