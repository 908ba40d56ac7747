#include "algorithm.h"

#include <array>
#include <utility>

namespace DNotifier::Tokens {

namespace {

constexpr std::array<std::pair<Algorithm, QStringView>, 5> Names{{
        {Algorithm::HS256, u"HS256"},
        {Algorithm::HS384, u"HS384"},
        {Algorithm::HS512, u"HS512"},
        {Algorithm::RS256, u"RS256"},
        {Algorithm::ES256, u"ES256"},
}};

} // namespace

QString algorithmName(Algorithm algorithm)
{
    for (const auto &[value, name] : Names) {
        if (value == algorithm) {
            return name.toString();
        }
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<Algorithm> algorithmFromName(QStringView name)
{
    for (const auto &[value, known] : Names) {
        if (known == name) {
            return value;
        }
    }
    return std::nullopt;
}

KeyType keyTypeFor(Algorithm algorithm)
{
    switch (algorithm) {
    case Algorithm::HS256:
    case Algorithm::HS384:
    case Algorithm::HS512:
        return KeyType::Secret;
    case Algorithm::RS256:
        return KeyType::Rsa;
    case Algorithm::ES256:
        return KeyType::EcP256;
    }
    Q_UNREACHABLE();
    return KeyType::Secret;
}

} // namespace DNotifier::Tokens
