#include "peertls.h"

#include <common/crypto/selfsigned.h>
#include <node/config/privatefiles.h>

#include <QDir>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

namespace DNotifier::Cluster {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int CertificateValidDays = 10 * 365;

Result<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error{0, u"cannot read \"%1\": %2"_s.arg(path, file.errorString())};
    }
    return file.readAll();
}

} // namespace

Result<PeerTls> loadOrCreatePeerTls(const QString &dataDir)
{
    const QDir dir(dataDir);
    const QString certificatePath = dir.filePath(PeerCertificateFileName);
    const QString keyPath = dir.filePath(PeerKeyFileName);
    if (!QFile::exists(certificatePath) || !QFile::exists(keyPath)) {
        const Result<Crypto::PemCertificate> made =
                Crypto::generateSelfSignedCertificate(u"dnotifier peer"_s, CertificateValidDays);
        if (!made) {
            return made.error();
        }
        if (const Result<void> ready = Config::ensurePrivateDirectory(dataDir); !ready) {
            return ready.error();
        }
        for (const auto &[path, content] : {std::pair{keyPath, made->privateKey},
                                            std::pair{certificatePath, made->certificate}}) {
            if (const Result<void> written = Config::writePrivateFile(path, content); !written) {
                return written.error();
            }
        }
    }
    const Result<QByteArray> certificatePem = readFile(certificatePath);
    const Result<QByteArray> keyPem = readFile(keyPath);
    if (!certificatePem || !keyPem) {
        return !certificatePem ? certificatePem.error() : keyPem.error();
    }
    const QSslCertificate certificate(*certificatePem, QSsl::Pem);
    const QSslKey key(*keyPem, QSsl::Ec, QSsl::Pem);
    if (certificate.isNull() || key.isNull()) {
        return Error{0, u"\"%1\" and \"%2\" do not hold a PEM certificate and its EC key; delete "
                        "both to have new ones made"_s.arg(certificatePath, keyPath)};
    }

    PeerTls tls;
    tls.server = QSslConfiguration::defaultConfiguration();
    tls.server.setLocalCertificate(certificate);
    tls.server.setPrivateKey(key);
    tls.server.setPeerVerifyMode(QSslSocket::VerifyNone);
    tls.server.setProtocol(QSsl::TlsV1_2OrLater);
    tls.client = QSslConfiguration::defaultConfiguration();
    tls.client.setPeerVerifyMode(QSslSocket::VerifyNone);
    tls.client.setProtocol(QSsl::TlsV1_2OrLater);
    tls.certificateDigest = certificate.digest(QCryptographicHash::Sha256);
    return tls;
}

} // namespace DNotifier::Cluster
