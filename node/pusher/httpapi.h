#pragma once

// The Pusher HTTP API (`/apps/{id}/...`). Routing, request signing and body validation run on
// the I/O thread that parsed the request; work that needs broker state runs on the broker
// thread through the hub, and the reply is handed back to the connection's thread.

#include <common/result.h>
#include <node/apps/appregistry.h>
#include <node/http/httpmessage.h>

#include <functional>
#include <memory>

namespace DNotifier::Pusher {

class Hub;

class HttpApi final
{
public:
    // May be called from the broker thread; it must hand the response to the right thread.
    using Reply = std::function<void(const Http::Response &)>;

    HttpApi(std::shared_ptr<const Apps::AppRegistry> apps, Hub *hub);

    void handle(const Http::Request &request, const Reply &reply) const;

    // Checks auth_key, auth_timestamp, auth_version, body_md5 and auth_signature.
    static Result<void> verifySignature(const Http::Request &request,
                                        const Config::AppSettings &app,
                                        const QByteArray &signedPath,
                                        qint64 nowSeconds);

private:
    using Work = std::function<Http::Response(Hub &)>;

    void route(const Http::Request &request,
               const Config::AppSettings &app,
               const QStringList &segments,
               const Reply &reply) const;
    void onHub(const Reply &reply, Work work) const;

    std::shared_ptr<const Apps::AppRegistry> m_apps;
    Hub *m_hub;
};

} // namespace DNotifier::Pusher
