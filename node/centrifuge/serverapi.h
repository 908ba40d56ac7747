#pragma once

// The Centrifugo-style server API for services: POST /api/<method> with a JSON body and the
// app's API key (X-API-Key header, "Authorization: apikey KEY" or ?api_key=). Key checks and
// body parsing run on the I/O thread; the work runs on the broker thread through the hub.
// Protocol-level failures are HTTP 200 with {"error":{"code":N,"message":"..."}}.

#include <node/apps/appregistry.h>
#include <node/http/httpmessage.h>

#include <functional>
#include <memory>

namespace DNotifier::Centrifuge {

class Hub;

class ServerApi final
{
public:
    using Reply = std::function<void(const Http::Response &)>;

    ServerApi(std::shared_ptr<const Apps::AppRegistry> apps, Hub *hub);

    static bool handles(const QString &path);
    void handle(const Http::Request &request, const Reply &reply) const;

    // The app whose API key (or, without one, secret) the request presents; nullptr if none.
    const Config::AppSettings *authenticate(const Http::Request &request) const;

private:
    std::shared_ptr<const Apps::AppRegistry> m_apps;
    Hub *m_hub;
};

} // namespace DNotifier::Centrifuge
