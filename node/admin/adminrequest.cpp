#include "adminrequest.h"

#include "adminerrors.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace DNotifier::Admin {

using namespace Qt::Literals::StringLiterals;

namespace {

// JavaScript clients cannot hold larger integers exactly.
constexpr double MaxRequestId = 9007199254740991.0;

bool validId(const QJsonValue &id)
{
    const double number = id.toDouble(-1);
    return id.isDouble() && number >= 1 && number <= MaxRequestId && number == qint64(number);
}

} // namespace

std::variant<AdminRequest, RequestError> parseAdminRequest(const QByteArray &text)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (!document.isObject()) {
        return RequestError{QJsonValue::Null,
                            adminError(ErrorCode::BadRequest,
                                       parseError.error != QJsonParseError::NoError
                                               ? u"not JSON: "_s + parseError.errorString()
                                               : u"a request must be a JSON object"_s)};
    }
    const QJsonObject request = document.object();
    const QJsonValue id = request.value("id"_L1);
    if (!validId(id)) {
        return RequestError{QJsonValue::Null, adminError(ErrorCode::BadRequest,
                                                         u"\"id\" must be a positive integer"_s)};
    }
    const QJsonValue method = request.value("method"_L1);
    const QJsonValue params = request.value("params"_L1);
    if (!method.isString() || (!params.isUndefined() && !params.isObject())) {
        return RequestError{id, adminError(ErrorCode::BadRequest,
                                           u"\"method\" must be a string and \"params\" an "
                                           "object"_s)};
    }
    return AdminRequest{id, method.toString(), params.toObject()};
}

} // namespace DNotifier::Admin
