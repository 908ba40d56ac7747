#include "adminerrors.h"

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

QString errorName(int code)
{
    switch (ErrorCode(code)) {
    case ErrorCode::BadRequest:
        return u"bad_request"_s;
    case ErrorCode::UnknownMethod:
        return u"unknown_method"_s;
    case ErrorCode::UnsupportedProtocol:
        return u"unsupported_protocol"_s;
    case ErrorCode::Unauthenticated:
        return u"unauthenticated"_s;
    case ErrorCode::Unauthorized:
        return u"unauthorized"_s;
    case ErrorCode::RateLimited:
        return u"rate_limited"_s;
    case ErrorCode::Forbidden:
        return u"forbidden"_s;
    case ErrorCode::NotFound:
        return u"not_found"_s;
    case ErrorCode::TooManyStreams:
        return u"too_many_streams"_s;
    case ErrorCode::Failed:
        break;
    }
    return u"failed"_s;
}

} // namespace DNotifier::Admin
