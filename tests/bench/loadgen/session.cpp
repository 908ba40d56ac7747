#include "session.h"

namespace DNotifier::Bench {

Session::Session(const Options &options)
    : m_options(options)
    , m_pool(options.target.endpoint, *this)
    , m_subscribers(options.target, options.eventName)
{ }

bool Session::addPublisher(const std::string &channel, std::uint16_t port, bool natsAcks)
{
    Target target = m_options.target;
    if (port != 0) {
        target.endpoint.port = port;
    }
    auto publisher = std::make_unique<Publisher>(target, channel, m_options.eventName);
    if (natsAcks) {
        publisher->askNatsAcknowledgements();
    }
    if (!publisher->start(m_pool)) {
        return false;
    }
    m_publishers.push_back(std::move(publisher));
    return true;
}

bool Session::publishersReady() const
{
    for (const auto &publisher : m_publishers) {
        if (!publisher->isReady()) {
            return false;
        }
    }
    return true;
}

// A linear search: a session has a handful of publishers at most.
Publisher *Session::publisherOf(std::size_t id)
{
    for (const auto &publisher : m_publishers) {
        if (publisher->id() == id) {
            return publisher.get();
        }
    }
    return nullptr;
}

void Session::setRampTarget(std::size_t target,
                            std::string (*channelOf)(const Options &, std::size_t))
{
    m_target = target;
    m_channelOf = channelOf;
}

void Session::pumpRamp()
{
    while (m_started < m_target && m_inFlight < m_options.concurrency) {
        if (m_times.firstConnectNs == 0) {
            m_times.firstConnectNs = monotonicNs();
        }
        const std::size_t id = m_pool.open(Transport::WebSocket, m_subscribers.path());
        ++m_started;
        if (id == ClientPool::NoConnection) {
            ++m_upgradeFailures;
            noteFailure(m_pool.lastError());
            continue;
        }
        m_subscribers.add(id, m_channelOf(m_options, m_started - 1));
        ++m_inFlight;
    }
}

void Session::opened(ClientPool &pool, std::size_t id)
{
    if (Publisher *publisher = publisherOf(id)) {
        publisher->opened(pool);
        return;
    }
    const std::int64_t now = monotonicNs();
    ++m_upgraded;
    m_times.lastUpgradeNs = now;
    if (m_upgraded % 1000 == 0) {
        m_times.thousands.push_back(now);
    }
    m_subscribers.opened(pool, id);
}

void Session::message(ClientPool &pool, std::size_t id, Opcode opcode, std::string_view payload)
{
    (void)opcode;
    if (Publisher *publisher = publisherOf(id)) {
        publisher->message(pool, payload);
        return;
    }
    if (m_subscribers.message(pool, id, payload)) {
        ++m_subscribed;
        --m_inFlight;
        m_times.lastSubscribedNs = monotonicNs();
    }
}

void Session::httpResponse(ClientPool &pool, std::size_t id, int status)
{
    (void)pool;
    if (Publisher *publisher = publisherOf(id)) {
        publisher->httpResponse(status);
    }
}

void Session::closed(ClientPool &pool, std::size_t id, std::string_view reason)
{
    (void)pool;
    noteFailure(reason);
    if (id == m_watched) {
        m_watchedEnd = reason;
    }
    if (Publisher *publisher = publisherOf(id)) {
        publisher->closed();
        return;
    }
    const bool wasSubscribed = m_subscribers.isSubscribed(id);
    if (!m_subscribers.closed(id)) {
        return;
    }
    if (wasSubscribed) {
        ++m_dropped;
        --m_subscribed;
        ++m_upgradeFailures;
    } else {
        ++m_upgradeFailures;
        --m_inFlight;
    }
}

void Session::noteFailure(std::string_view reason)
{
    if (m_firstFailure.empty()) {
        m_firstFailure = reason;
    }
}

} // namespace DNotifier::Bench
