#pragma once

// An invariant the frame fuzzers check: a payload the node forwards byte for byte (rawData, cut
// out of the frame by Json::memberSpan) is one well-formed JSON value, because clients parse
// what the node sends on. A breach aborts, so libFuzzer keeps the input.

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cstdio>
#include <cstdlib>

namespace DNotifier::Fuzz {

inline void requireOneJsonValue(const QByteArray &raw)
{
    QJsonParseError error;
    QJsonDocument::fromJson('[' + raw + ']', &error);
    if (error.error != QJsonParseError::NoError) {
        std::fprintf(stderr, "forwarded data is not one JSON value: %s\n", raw.constData());
        std::abort();
    }
}

} // namespace DNotifier::Fuzz
