#include "tlsidentity.h"

#include <common/crypto/selfsigned.h>
#include <node/config/privatefiles.h>

#include <QDir>
#include <QFile>

namespace DNotifier::Transport {

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

QSslConfiguration TlsIdentity::serverConfiguration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(QList<QSslCertificate>{certificate} + intermediates);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    return configuration;
}

Result<TlsIdentity> loadTlsIdentity(const QString &certificatePath, const QString &keyPath)
{
    const Result<QByteArray> certificatePem = readFile(certificatePath);
    if (!certificatePem) {
        return certificatePem.error();
    }
    const Result<QByteArray> keyPem = readFile(keyPath);
    if (!keyPem) {
        return keyPem.error();
    }
    QList<QSslCertificate> chain = QSslCertificate::fromData(*certificatePem, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull()) {
        return Error{0, u"\"%1\" does not hold a PEM certificate"_s.arg(certificatePath)};
    }
    const QSslCertificate certificate = chain.takeFirst();
    QSslKey key(*keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull()) {
        key = QSslKey(*keyPem, QSsl::Rsa, QSsl::Pem);
    }
    if (key.isNull()) {
        return Error{0, u"\"%1\" does not hold a PEM private key (EC or RSA)"_s.arg(keyPath)};
    }
    return TlsIdentity{certificate, chain, key};
}

Result<TlsIdentity> loadOrCreateTlsIdentity(const QString &dataDir,
                                            const QString &certificateName,
                                            const QString &keyName,
                                            const QString &commonName)
{
    const QDir dir(dataDir);
    const QString certificatePath = dir.filePath(certificateName);
    const QString keyPath = dir.filePath(keyName);
    if (!QFile::exists(certificatePath) || !QFile::exists(keyPath)) {
        const Result<Crypto::PemCertificate> made =
                Crypto::generateSelfSignedCertificate(commonName, CertificateValidDays);
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
    Result<TlsIdentity> loaded = loadTlsIdentity(certificatePath, keyPath);
    if (!loaded) {
        return Error{0, loaded.error().message
                                + u"; delete \"%1\" and \"%2\" to have new ones "
                                  "made"_s.arg(certificatePath, keyPath)};
    }
    return loaded;
}

} // namespace DNotifier::Transport
