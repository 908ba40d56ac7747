#include "settingsreload.h"

namespace DNotifier::Runtime {

using namespace Qt::Literals::StringLiterals;

QStringList settingsNeedingRestart(const Config::NodeSettings &running,
                                   const Config::NodeSettings &fresh)
{
    QStringList keys;
    auto check = [&keys](bool same, const QString &key) {
        if (!same) {
            keys.append(key);
        }
    };
    check(running.dataDir == fresh.dataDir, u"data_dir"_s);
    check(running.host == fresh.host, u"host"_s);
    check(running.port == fresh.port, u"port"_s);
    check(running.ioThreads == fresh.ioThreads, u"io_threads"_s);
    check(running.activityTimeoutSeconds == fresh.activityTimeoutSeconds, u"activity_timeout"_s);
    check(running.pongTimeoutSeconds == fresh.pongTimeoutSeconds, u"pong_timeout"_s);
    check(running.maxHttpBodyBytes == fresh.maxHttpBodyBytes, u"max_http_body_bytes"_s);
    check(running.webhookLeaveDelaySeconds == fresh.webhookLeaveDelaySeconds,
          u"webhook_leave_delay"_s);
    check(running.webhookRetrySeconds == fresh.webhookRetrySeconds, u"webhook_retry_seconds"_s);
    check(running.drainDelaySeconds == fresh.drainDelaySeconds, u"drain_delay"_s);
    check(running.maxConnectionsPerAddress == fresh.maxConnectionsPerAddress,
          u"max_connections_per_address"_s);
    check(running.trustedProxies == fresh.trustedProxies, u"trusted_proxies"_s);
    check(running.maxClientConnections == fresh.maxClientConnections, u"max_client_connections"_s);
    check(running.handshakeTimeoutSeconds == fresh.handshakeTimeoutSeconds, u"handshake_timeout"_s);
    check(running.tlsCertificateFile.isEmpty() == fresh.tlsCertificateFile.isEmpty(),
          u"tls_cert, tls_key (turning TLS on or off)"_s);
    check(running.cluster == fresh.cluster, u"the cluster settings (peer_*, region, seeds, ...)"_s);
    Config::AdminSettings runningAdmin = running.admin;
    Config::AdminSettings freshAdmin = fresh.admin;
    runningAdmin.keys.clear();
    freshAdmin.keys.clear();
    check(runningAdmin == freshAdmin, u"admin_host, admin_port, admin_tls_*"_s);
    return keys;
}

} // namespace DNotifier::Runtime
