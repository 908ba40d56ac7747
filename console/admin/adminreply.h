#pragma once

// What the node answers to a request on the admin channel (docs/admin-protocol.md,
// "Messages"): a result object, or an error with the protocol's string code. Failures that
// never reached the node (not connected, connection lost) use the local codes below.

#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <functional>
#include <utility>

namespace DNotifier::Console {

namespace AdminErrorCode {
inline constexpr QLatin1StringView Unauthorized("unauthorized");
inline constexpr QLatin1StringView UnsupportedProtocol("unsupported_protocol");
inline constexpr QLatin1StringView RateLimited("rate_limited");
inline constexpr QLatin1StringView Forbidden("forbidden");
inline constexpr QLatin1StringView NotFound("not_found");
// Local: the request could not be sent, or the connection closed before the reply.
inline constexpr QLatin1StringView Disconnected("disconnected");
// Local: the node's certificate is not the pinned one.
inline constexpr QLatin1StringView CertificateChanged("certificate_changed");
} // namespace AdminErrorCode

struct AdminError
{
    QString code;
    QString message;
    // Only with rate_limited: how long the node asks the client to wait.
    qint64 retryAfterMs = 0;
};

class AdminReply final
{
public:
    static AdminReply success(QJsonObject result)
    {
        AdminReply reply;
        reply.m_result = std::move(result);
        return reply;
    }

    static AdminReply failure(AdminError error)
    {
        AdminReply reply;
        reply.m_ok = false;
        reply.m_error = std::move(error);
        return reply;
    }

    bool isOk() const { return m_ok; }

    const QJsonObject &result() const { return m_result; }

    const AdminError &error() const { return m_error; }

private:
    AdminReply() = default;

    bool m_ok = true;
    QJsonObject m_result;
    AdminError m_error;
};

using ReplyHandler = std::function<void(const AdminReply &)>;

// The hello result: who the key is and which node answered.
struct HelloInfo
{
    int protocol = 0;
    QString role;
    QString keyName;
    QString nodeId;
    QString nodeName;
    QString region;
    QString version;
    QString clusterId;

    bool isAdmin() const { return role == QLatin1StringView("admin"); }

    static HelloInfo fromResult(const QJsonObject &result);
};

} // namespace DNotifier::Console

Q_DECLARE_METATYPE(DNotifier::Console::AdminError)
Q_DECLARE_METATYPE(DNotifier::Console::HelloInfo)
