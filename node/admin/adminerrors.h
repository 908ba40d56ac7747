#pragma once

// The error codes of the admin protocol (docs/admin-protocol.md), carried in Error::code and
// written on the wire as their names.

#include <common/result.h>

#include <QString>

namespace DNotifier::Admin {

enum class ErrorCode {
    BadRequest = 1,
    UnknownMethod,
    UnsupportedProtocol,
    Unauthenticated,
    Unauthorized,
    RateLimited,
    Forbidden,
    NotFound,
    TooManyStreams,
    Failed,
};

QString errorName(int code);

inline Error adminError(ErrorCode code, const QString &message)
{
    return Error{int(code), message};
}

} // namespace DNotifier::Admin
