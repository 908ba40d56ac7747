#include "httpmessage.h"

#include <common/json/jsonwriter.h>

namespace DNotifier::Http {

using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

} // namespace

QByteArray Request::header(QByteArrayView name) const
{
    for (const auto &pair : headers) {
        if (QByteArrayView(pair.first).compare(name, Qt::CaseInsensitive) == 0) {
            return pair.second;
        }
    }
    return {};
}

QByteArray Request::queryValue(QByteArrayView name) const
{
    for (const auto &pair : query) {
        if (pair.first == name) {
            return pair.second;
        }
    }
    return {};
}

Response Response::json(int status, const QByteArray &body)
{
    Response response;
    response.status = status;
    response.body = body;
    return response;
}

Response Response::error(int status, const QString &message)
{
    return json(status, Json::ObjectWriter().string("error"_L1, message).finish());
}

QByteArray Response::serialise(bool keepAlive, bool withBody) const
{
    QByteArray out =
            "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
            + "\r\nContent-Type: " + contentType
            + "\r\nContent-Length: " + QByteArray::number(body.size())
            + (keepAlive && !closeAfter ? "\r\nConnection: keep-alive" : "\r\nConnection: close")
            + "\r\n\r\n";
    if (withBody) {
        out += body;
    }
    return out;
}

} // namespace DNotifier::Http
