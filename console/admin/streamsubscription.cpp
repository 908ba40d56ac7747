#include "streamsubscription.h"

#include "adminclient.h"

namespace DNotifier::Console {

StreamSubscription::StreamSubscription(AdminClient *client,
                                       QString stream,
                                       QJsonObject params,
                                       QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_stream(std::move(stream))
    , m_params(std::move(params))
{ }

StreamSubscription::~StreamSubscription()
{
    if (m_client) {
        m_client->release(this);
    }
}

void StreamSubscription::setParams(const QJsonObject &params)
{
    if (params == m_params) {
        return;
    }
    m_params = params;
    ++m_generation;
    if (m_client) {
        m_client->restart(this);
    }
}

} // namespace DNotifier::Console
