#include "fingerprint.h"

#include <common/crypto/digest.h>

#include <QCryptographicHash>
#include <QSslCertificate>

namespace DNotifier::Console {

namespace {

constexpr int Sha256Length = 32;

bool isHexDigit(QChar c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

} // namespace

QString certificateFingerprint(const QSslCertificate &certificate)
{
    if (certificate.isNull()) {
        return {};
    }
    return Crypto::fingerprintText(certificate.digest(QCryptographicHash::Sha256));
}

QString normalizeFingerprint(const QString &text)
{
    QByteArray hex;
    for (const QChar c : text) {
        if (c == u':' || c.isSpace()) {
            continue;
        }
        if (!isHexDigit(c)) {
            return {};
        }
        hex.append(char(c.unicode()));
    }
    if (hex.size() != 2 * Sha256Length) {
        return {};
    }
    return Crypto::fingerprintText(QByteArray::fromHex(hex));
}

PinDecision decidePin(const QString &pinned, const QString &presented)
{
    if (pinned.trimmed().isEmpty()) {
        return PinDecision::FirstContact;
    }
    // A pin that is not a fingerprint at all (a damaged settings file) matches nothing: asking
    // again would let whoever answers first replace it.
    const QString canonicalPin = normalizeFingerprint(pinned);
    if (canonicalPin.isEmpty()) {
        return PinDecision::Mismatch;
    }
    // Fingerprints are public, so a plain comparison leaks nothing worth a constant-time one.
    return canonicalPin == normalizeFingerprint(presented) ? PinDecision::Trusted
                                                           : PinDecision::Mismatch;
}

} // namespace DNotifier::Console
