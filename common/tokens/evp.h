#pragma once

// Internal to common/tokens: ownership wrappers for the OpenSSL objects the key and
// signature code creates, shared by pkey.cpp and jwk.cpp.

#include "jwterror.h"

#include <QByteArrayView>

#include <memory>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>

namespace DNotifier::Tokens::Internal {

// OpenSSL queues an error for every input it refuses, and hostile tokens are refused all
// the time. Left behind, those errors would surface in the next unrelated OpenSSL call on
// the thread (Qt's TLS backend reads the queue), so each entry point drops what it queued.
class ErrorQueueMark final
{
public:
    ErrorQueueMark() { ERR_set_mark(); }

    ~ErrorQueueMark() { ERR_pop_to_mark(); }

    Q_DISABLE_COPY_MOVE(ErrorQueueMark)
};

template<typename T, auto Free>
struct Deleter
{
    void operator()(T *pointer) const { Free(pointer); }
};

using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using PKeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;

inline const unsigned char *bytes(QByteArrayView data)
{
    return reinterpret_cast<const unsigned char *>(data.data());
}

inline std::shared_ptr<EVP_PKEY> adoptKey(EVP_PKEY *key)
{
    return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

inline Error keyError(const QString &message)
{
    return jwtError(JwtError::InvalidKey, message);
}

} // namespace DNotifier::Tokens::Internal
