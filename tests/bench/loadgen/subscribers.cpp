#include "subscribers.h"

#include "natswire.h"

namespace DNotifier::Bench {

SubscriberSet::SubscriberSet(Target target, std::string eventName)
    : m_target(std::move(target))
    , m_eventName(std::move(eventName))
{ }

std::string SubscriberSet::path() const
{
    if (m_target.protocol == Protocol::Nats) {
        return "/";
    }
    return "/app/" + m_target.app.key + "?protocol=7&client=dnotifier-loadgen&version=0.1";
}

void SubscriberSet::add(std::size_t id, std::string channel)
{
    if (m_subscribers.size() <= id) {
        m_subscribers.resize(id + 1);
    }
    Subscriber &subscriber = m_subscribers[id];
    subscriber = Subscriber();
    subscriber.channel = std::move(channel);
    subscriber.member = true;
}

bool SubscriberSet::owns(std::size_t id) const
{
    return id < m_subscribers.size() && m_subscribers[id].member;
}

bool SubscriberSet::opened(ClientPool &pool, std::size_t id)
{
    // Both servers speak first (connection_established, INFO): nothing to send yet.
    (void)pool;
    (void)id;
    return false;
}

bool SubscriberSet::message(ClientPool &pool, std::size_t id, std::string_view payload)
{
    if (m_target.protocol == Protocol::Nats) {
        return natsMessage(pool, id, payload);
    }
    return pusherMessage(pool, id, payload);
}

bool SubscriberSet::closed(std::size_t id)
{
    if (!owns(id)) {
        return false;
    }
    Subscriber &subscriber = m_subscribers[id];
    if (subscriber.subscribed) {
        --m_subscribed;
    }
    subscriber.subscribed = false;
    subscriber.member = false;
    std::string().swap(subscriber.natsStream);
    return true;
}

bool SubscriberSet::isSubscribed(std::size_t id) const
{
    return owns(id) && m_subscribers[id].subscribed;
}

std::uint64_t SubscriberSet::deliveriesOf(std::size_t id) const
{
    return id < m_subscribers.size() ? m_subscribers[id].deliveries : 0;
}

void SubscriberSet::measureFrom(std::int64_t sentFromNs, LatencyHistogram &histogram)
{
    m_measureFromNs = sentFromNs;
    m_histogram = &histogram;
}

bool SubscriberSet::pusherMessage(ClientPool &pool, std::size_t id, std::string_view text)
{
    const auto eventRaw = jsonMember(text, "event");
    const auto event = eventRaw ? jsonString(*eventRaw, m_scratch) : std::nullopt;
    if (!event) {
        ++m_counters.unreadable;
        return false;
    }
    Subscriber &subscriber = m_subscribers[id];
    if (*event == m_eventName) {
        const auto dataRaw = jsonMember(text, "data");
        const auto data = dataRaw ? jsonString(*dataRaw, m_scratch) : std::nullopt;
        if (!data) {
            ++m_counters.unreadable;
            return false;
        }
        delivered(subscriber, *data);
        return false;
    }
    if (*event == "pusher:connection_established") {
        std::string subscribe = "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":";
        appendJsonString(subscribe, subscriber.channel);
        subscribe += "}}";
        pool.sendFrame(id, Opcode::Text, subscribe);
        return false;
    }
    if (*event == "pusher_internal:subscription_succeeded") {
        return markSubscribed(subscriber);
    }
    if (*event == "pusher:ping") {
        pool.sendFrame(id, Opcode::Text, R"({"event":"pusher:pong","data":{}})");
        return false;
    }
    if (*event == "pusher:error" || *event == "pusher:subscription_error") {
        m_lastServerError = std::string(text.substr(0, 300));
        pool.abort(id, m_lastServerError);
    }
    return false;
}

bool SubscriberSet::natsMessage(ClientPool &pool, std::size_t id, std::string_view bytes)
{
    std::string &stream = m_subscribers[id].natsStream;
    std::size_t used = 0;
    bool nowSubscribed = false;
    if (stream.empty()) {
        nowSubscribed = natsOps(pool, id, bytes, used);
        if (owns(id) && used < bytes.size()) {
            m_subscribers[id].natsStream.assign(bytes.substr(used));
        }
        return nowSubscribed;
    }
    stream.append(bytes);
    nowSubscribed = natsOps(pool, id, stream, used);
    if (owns(id)) {
        m_subscribers[id].natsStream.erase(0, used);
    }
    return nowSubscribed;
}

// Handles every whole operation at the start of stream; used ends after the last one.
bool SubscriberSet::natsOps(ClientPool &pool,
                            std::size_t id,
                            std::string_view stream,
                            std::size_t &used)
{
    bool nowSubscribed = false;
    while (owns(id)) {
        const NatsOp op = parseNatsOp(stream.substr(used));
        if (op.status == NatsOp::Status::NeedMore) {
            break;
        }
        if (op.status == NatsOp::Status::Invalid) {
            pool.abort(id, "unreadable NATS operation");
            break;
        }
        used += op.consumed;
        Subscriber &subscriber = m_subscribers[id];
        switch (op.kind) {
        case NatsOp::Kind::Msg:
            delivered(subscriber, op.payload);
            break;
        case NatsOp::Kind::Ping:
            pool.sendFrame(id, Opcode::Binary, "PONG\r\n");
            break;
        case NatsOp::Kind::Pong:
            nowSubscribed = markSubscribed(subscriber) || nowSubscribed;
            break;
        case NatsOp::Kind::Info:
            if (!subscriber.subscribed) {
                pool.sendFrame(id, Opcode::Binary,
                               natsConnect() + "SUB " + subscriber.channel + " 1\r\nPING\r\n");
            }
            break;
        case NatsOp::Kind::Err:
            m_lastServerError = "-ERR " + std::string(op.text);
            pool.abort(id, m_lastServerError);
            break;
        case NatsOp::Kind::Ok:
            break;
        }
    }
    return nowSubscribed;
}

void SubscriberSet::delivered(Subscriber &subscriber, std::string_view payload)
{
    ++m_counters.deliveries;
    ++subscriber.deliveries;
    PayloadStamp stamp;
    if (!parseBenchPayload(payload, stamp)) {
        ++m_counters.unreadable;
        return;
    }
    if (m_histogram != nullptr && stamp.sentNs >= m_measureFromNs) {
        // The time of this message's turn in the loop: a read() may bring several, and the
        // later ones wait for the earlier ones to be handled, as they would in a client.
        m_histogram->record(monotonicNs() - stamp.sentNs);
        ++m_counters.measured;
    }
    if (stamp.sequence <= subscriber.lastSequence) {
        ++m_counters.reordered;
        return;
    }
    m_counters.skipped += stamp.sequence - subscriber.lastSequence - 1;
    subscriber.lastSequence = stamp.sequence;
}

bool SubscriberSet::markSubscribed(Subscriber &subscriber)
{
    if (subscriber.subscribed) {
        return false;
    }
    subscriber.subscribed = true;
    ++m_subscribed;
    return true;
}

} // namespace DNotifier::Bench
