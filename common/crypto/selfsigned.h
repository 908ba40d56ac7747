#pragma once

// A self-signed certificate and its private key, made with OpenSSL, for endpoints that need
// TLS without a certificate authority (peer links; the admin endpoint). Pure function, safe
// from any thread.

#include <common/result.h>

#include <QByteArray>
#include <QString>

namespace DNotifier::Crypto {

struct PemCertificate
{
    QByteArray certificate;
    QByteArray privateKey;
};

// An EC P-256 key and an X.509 certificate for it, signed with itself (SHA-256), valid from
// now for `validDays`, with `commonName` as subject and issuer.
Result<PemCertificate> generateSelfSignedCertificate(const QString &commonName, int validDays);

} // namespace DNotifier::Crypto
