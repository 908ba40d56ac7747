#include "publisher.h"

#include "natswire.h"

#include <ctime>

namespace DNotifier::Bench {

Publisher::Publisher(Target target, std::string channel, std::string eventName)
    : m_target(std::move(target))
    , m_channel(std::move(channel))
    , m_eventName(std::move(eventName))
    , m_hostPort(m_target.endpoint.host + ':' + std::to_string(m_target.endpoint.port))
{ }

bool Publisher::start(ClientPool &pool)
{
    const std::uint16_t port = m_target.endpoint.port;
    m_id = m_target.protocol == Protocol::Pusher ? pool.open(Transport::Http, "/", port)
                                                 : pool.open(Transport::WebSocket, "/", port);
    return m_id != ClientPool::NoConnection;
}

void Publisher::opened(ClientPool &pool)
{
    // NATS speaks first (INFO); the HTTP connection is ready as soon as it is connected.
    (void)pool;
    m_ready = m_target.protocol == Protocol::Pusher;
}

void Publisher::message(ClientPool &pool, std::string_view payload)
{
    m_natsStream.append(payload);
    std::size_t used = 0;
    for (;;) {
        const NatsOp op = parseNatsOp(std::string_view(m_natsStream).substr(used));
        if (op.status == NatsOp::Status::NeedMore) {
            break;
        }
        if (op.status == NatsOp::Status::Invalid) {
            pool.abort(m_id, "unreadable NATS operation");
            return;
        }
        used += op.consumed;
        if (op.kind == NatsOp::Kind::Info && !m_ready) {
            pool.sendFrame(m_id, Opcode::Binary, natsConnect(m_natsAcks) + "PING\r\n");
        } else if (op.kind == NatsOp::Kind::Pong) {
            m_ready = true;
        } else if (op.kind == NatsOp::Kind::Ok && m_ready) {
            // Before the PONG, +OK answers the CONNECT; after it, a PUB.
            ++m_acknowledged;
        } else if (op.kind == NatsOp::Kind::Ping) {
            pool.sendFrame(m_id, Opcode::Binary, "PONG\r\n");
        } else if (op.kind == NatsOp::Kind::Err) {
            ++m_acknowledged;
            ++m_rejected;
            pool.abort(m_id, "-ERR " + std::string(op.text));
            return;
        }
    }
    m_natsStream.erase(0, used);
}

void Publisher::httpResponse(int status)
{
    ++m_acknowledged;
    if (status < 200 || status > 299) {
        ++m_rejected;
        m_lastRejectStatus = status;
    }
}

void Publisher::closed()
{
    m_ready = false;
    m_lost = true;
}

bool Publisher::isAcknowledged() const
{
    return m_target.protocol == Protocol::Pusher || m_natsAcks;
}

void Publisher::publish(ClientPool &pool, PayloadStamp stamp, std::size_t size)
{
    publishTo(pool, m_channel, stamp, size);
}

void Publisher::publishTo(ClientPool &pool,
                          std::string_view channel,
                          PayloadStamp stamp,
                          std::size_t size)
{
    const std::string payload = benchPayload(stamp, size);
    if (m_target.protocol == Protocol::Pusher) {
        pool.sendRaw(m_id,
                     signedEventsRequest(m_target.app, m_hostPort, std::int64_t(std::time(nullptr)),
                                         eventsBody(channel, m_eventName, payload)));
    } else {
        m_buffer.clear();
        appendNatsPub(m_buffer, channel, payload);
        pool.sendFrame(m_id, Opcode::Binary, m_buffer);
    }
    ++m_published;
}

} // namespace DNotifier::Bench
