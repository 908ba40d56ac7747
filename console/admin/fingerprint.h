#pragma once

// Certificate fingerprints as the admin protocol writes them (docs/admin-protocol.md,
// "Transport"): the SHA-256 digest of the DER-encoded certificate as 32 colon-separated pairs
// of upper-case hex digits. The console pins one per profile and decides, like SSH does with
// host keys, whether the certificate a node shows is the pinned one. Pure functions.

#include <QByteArray>
#include <QString>

class QSslCertificate;

namespace DNotifier::Console {

QString certificateFingerprint(const QSslCertificate &certificate);

// Accepts what people paste: either case, with colons, spaces or nothing between the pairs.
// Returns the canonical form, or an empty string when the text is not a SHA-256 fingerprint.
QString normalizeFingerprint(const QString &text);

enum class PinDecision {
    // The presented certificate is the pinned one: go on.
    Trusted,
    // Nothing is pinned yet: show the fingerprint and ask before sending any secret.
    FirstContact,
    // Something else is pinned: refuse, the certificate changed.
    Mismatch,
};

PinDecision decidePin(const QString &pinned, const QString &presented);

} // namespace DNotifier::Console
