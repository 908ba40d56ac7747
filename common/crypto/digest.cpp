#include "digest.h"

#include <cstring>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace DNotifier::Crypto {

namespace {

QByteArray digest(const EVP_MD *md, const QByteArray &data)
{
    QByteArray out(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int length = 0;
    auto *target = reinterpret_cast<unsigned char *>(out.data());
    if (EVP_Digest(data.constData(), size_t(data.size()), target, &length, md, nullptr) != 1) {
        return {};
    }
    out.resize(int(length));
    return out;
}

} // namespace

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data)
{
    QByteArray out(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int length = 0;
    const auto *input = reinterpret_cast<const unsigned char *>(data.constData());
    auto *target = reinterpret_cast<unsigned char *>(out.data());
    if (!HMAC(EVP_sha256(), key.constData(), int(key.size()), input, size_t(data.size()), target,
              &length)) {
        return {};
    }
    out.resize(int(length));
    return out;
}

QByteArray hmacSha256Hex(const QByteArray &key, const QByteArray &data)
{
    return hmacSha256(key, data).toHex();
}

QByteArray sha256(const QByteArray &data)
{
    return digest(EVP_sha256(), data);
}

QByteArray sha1(const QByteArray &data)
{
    return digest(EVP_sha1(), data);
}

QByteArray md5Hex(const QByteArray &data)
{
    return digest(EVP_md5(), data).toHex();
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size()) {
        return false;
    }
    return CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

QByteArray randomBytes(int count)
{
    QByteArray out(count, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), count) != 1) {
        // Secrets and socket ids must never come from a weaker source; without the OS entropy
        // pool there is no safe way to go on.
        qFatal("OpenSSL could not produce random bytes");
    }
    return out;
}

quint32 randomUInt32()
{
    const QByteArray bytes = randomBytes(sizeof(quint32));
    quint32 value = 0;
    std::memcpy(&value, bytes.constData(), sizeof value);
    return value;
}

QString fingerprintText(const QByteArray &digest)
{
    return QString::fromLatin1(digest.toHex(':').toUpper());
}

} // namespace DNotifier::Crypto
