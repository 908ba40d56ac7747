#pragma once

// The keys a node accepts tokens from: shared secrets for HS256/384/512, RSA public keys
// for RS256 and EC P-256 public keys for ES256, given as a secret, a PEM block or a JWKS
// document. A key serves only the algorithms of its own type, so an HS256 token can never
// be checked against the bytes of a public key. Built from configuration, then only read:
// copies share the loaded keys and verify() is safe from any number of threads at once.

#include "algorithm.h"

#include <common/result.h>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace DNotifier::Tokens {

class KeySet final
{
public:
    static Result<KeySet> fromSecret(const QByteArray &secret, const QString &keyId = {});
    static Result<KeySet> fromPem(QByteArrayView pem, const QString &keyId = {});
    static Result<KeySet> fromJwks(QByteArrayView json);

    // A set may mix kinds, say a shared secret for HS256 and a JWKS for RS256. Each call adds
    // all of its keys or, on error, none. An empty keyId means the key has no id.
    Result<void> addSecret(const QByteArray &secret, const QString &keyId = {});
    // One "PUBLIC KEY" (SubjectPublicKeyInfo) or "RSA PUBLIC KEY" (PKCS#1) block; RSA keys
    // need 2048 bits or more, EC keys the P-256 curve.
    Result<void> addPem(QByteArrayView pem, const QString &keyId = {});
    // {"keys":[...]}: RSA keys (n, e) and EC P-256 keys (x, y) meant for signatures are
    // imported; keys of other types, curves, algorithms or uses are skipped. Fails when a
    // usable-looking key is broken or when nothing usable is left.
    Result<void> addJwks(QByteArrayView json);

    bool isEmpty() const;
    qsizetype size() const;

    // Checks a JWS signature. Only keys of the type `algorithm` needs take part. With a key
    // id, the keys carrying that id are tried, or the keys without an id when none carries
    // it; without one, every key of the type is tried.
    // Errors: AlgorithmNotAllowed, UnknownKeyId, BadSignature.
    Result<void> verify(Algorithm algorithm,
                        const std::optional<QString> &keyId,
                        QByteArrayView signingInput,
                        QByteArrayView signature) const;

private:
    struct Key;

    std::vector<std::shared_ptr<const Key>> m_keys;
};

} // namespace DNotifier::Tokens
