#pragma once

// The node's effective settings after defaults, config file, environment and flags are
// merged (see settingsloader.h). Plain values: copied freely and read from any thread once
// the node has started.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QUrl>

namespace DNotifier::Config {

struct WebhookTarget
{
    QUrl url;
    // Event names this target receives; empty means every event.
    QList<QString> events;

    friend bool operator==(const WebhookTarget &, const WebhookTarget &) = default;
};

// Channel options for token-authenticated (Centrifuge) clients, per namespace: the part of a
// channel name before ':'. The namespace named "" holds channels without a ':'.
struct NamespaceSettings
{
    QString name;
    // Publications kept per channel for history and recovery; 0 keeps none.
    int historySize = 0;
    int historyTtlSeconds = 300;
    bool presence = false;
    bool joinLeave = false;
    // Whether clients may publish; services publish through the HTTP APIs either way.
    bool allowPublish = false;
    // Whether clients may subscribe without a subscription token.
    bool allowSubscribe = true;

    friend bool operator==(const NamespaceSettings &, const NamespaceSettings &) = default;
};

struct AppSettings
{
    QString id;
    QByteArray key;
    QByteArray secret;
    // The key services send to the Centrifugo-style server API; the secret serves when empty.
    QByteArray apiKey;
    // Public keys for RS256/ES256 tokens: a PEM public key or a JWKS document. HS256/384/512
    // tokens signed with the secret are accepted either way.
    QString tokenKeyFile;
    // Checked in every token when set: `aud` must contain it, `iss` must equal it.
    QString tokenAudience;
    QString tokenIssuer;
    bool enabled = true;
    bool clientEvents = true;
    bool subscriptionCountEvents = false;
    int maxConnections = 10000;
    int maxChannelNameLength = 200;
    int maxEventNameLength = 200;
    int maxEventPayloadBytes = 10 * 1024;
    int maxEventChannels = 100;
    int maxBatchSize = 10;
    int maxPresenceMembers = 100;
    int maxPresenceMemberBytes = 1024;
    int maxPresenceUserIdLength = 128;
    int maxClientEventsPerSecond = 10;
    int maxMessageBytes = 10 * 1024 + 1024;
    // Output waiting for a client that does not read; past it the client is disconnected.
    int maxOutboundBytes = 4 * 1024 * 1024;
    // Frames (Pusher) or commands (Centrifuge) one connection may send per second.
    int maxMessagesPerSecond = 100;
    // Channels one connection may be subscribed to at once.
    int maxSubscriptionsPerConnection = 1000;
    // Requests the app's HTTP APIs (Pusher and server API) take per second, across the node.
    int maxApiRequestsPerSecond = 10000;
    int webhookBatchMilliseconds = 0;
    QList<WebhookTarget> webhooks;
    QList<NamespaceSettings> namespaces;

    // The namespace of a channel; the default one for channels without ':' when none is
    // configured, nullptr for a named namespace that is not configured.
    const NamespaceSettings *namespaceOf(QStringView channel) const;

    friend bool operator==(const AppSettings &, const AppSettings &) = default;
};

// How this node finds, authenticates and watches its peers. Timings follow the SWIM family of
// failure detectors: see docs/cluster.md for what each one bounds.
struct ClusterSettings
{
    QHostAddress peerHost = QHostAddress::LocalHost;
    // 0 picks a free port (tests); the banner prints the port in use.
    quint16 peerPort = 6002;
    // Encrypts peer links with TLS (a certificate generated in the data directory); every
    // node of a cluster must agree.
    bool peerTls = false;
    // "host:port" other nodes dial to reach this one; empty means peerHost and the bound port.
    QString advertise;
    QString region = QStringLiteral("default");
    // Shown in logs and the console; empty means "<host name>:<peer port>".
    QString nodeName;
    // "host:port" entries dialled at start and whenever this node has no peer.
    QList<QString> seeds;
    // A join token from `dnotifier-node join-token`: cluster secret, seeds, expiry.
    QString joinToken;
    // Shared by every node of the cluster; empty means the one kept in the data directory.
    QByteArray secret;
    int probeIntervalMs = 500;
    int probeTimeoutMs = 250;
    int suspicionMs = 2000;
    int indirectProbes = 2;

    // Whether peerHost is an any-address, which other nodes cannot dial.
    bool listensOnEveryAddress() const;
    // "host:port" other nodes dial: advertise, else peerHost (in brackets when IPv6) and
    // `port`; empty when that would be an any-address.
    QString dialAddress(quint16 port) const;

    friend bool operator==(const ClusterSettings &, const ClusterSettings &) = default;
};

enum class AdminRole {
    Admin,
    ReadOnly,
};

// A key for the admin channel (docs/admin-protocol.md). The name appears in the audit log.
struct AdminKey
{
    QString name;
    AdminRole role = AdminRole::ReadOnly;
    QByteArray key;

    friend bool operator==(const AdminKey &, const AdminKey &) = default;
};

struct AdminSettings
{
    QHostAddress host = QHostAddress::LocalHost;
    // 0 picks a free port (tests); the banner prints the port in use.
    quint16 port = 6003;
    // PEM files; both empty means the self-signed pair kept in the data directory.
    QString certificateFile;
    QString keyFile;
    // Keys from the config file, accepted beside the ones kept in the data directory.
    QList<AdminKey> keys;

    friend bool operator==(const AdminSettings &, const AdminSettings &) = default;
};

struct NodeSettings
{
    QString dataDir;
    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 6001;
    // PEM files: when both are set, the client port speaks TLS only (https and wss).
    QString tlsCertificateFile;
    QString tlsKeyFile;
    // Client connections one remote address may hold; 0 means no limit. Trusted proxies are
    // not counted: their clients share their address.
    int maxConnectionsPerAddress = 1000;
    // Client WebSocket connections of the whole node, all apps and addresses; 0 means no limit
    // but the open-file limit.
    int maxClientConnections = 50000;
    // Seconds a new TCP connection has to complete its TLS handshake, send its first request
    // head and, for a WebSocket, finish the upgrade.
    int handshakeTimeoutSeconds = 10;
    QList<QString> trustedProxies{QStringLiteral("127.0.0.1"), QStringLiteral("::1")};
    // 0 picks one I/O thread per core but one (at least one); the main thread is the first.
    int ioThreads = 0;
    int activityTimeoutSeconds = 120;
    int pongTimeoutSeconds = 30;
    int maxHttpBodyBytes = 1024 * 1024;
    // Seconds that channel_vacated and member_removed webhooks wait for a quick return.
    int webhookLeaveDelaySeconds = 3;
    int webhookRetrySeconds = 300;
    // The least severe log lines written: "debug", "info", "warning" or "error".
    QString logLevel = QStringLiteral("info");
    // Seconds between the start of a drain (SIGTERM, the admin channel) and closing clients,
    // while /readyz already fails.
    int drainDelaySeconds = 0;
    ClusterSettings cluster;
    AdminSettings admin;
    AppSettings defaultApp;
    QList<AppSettings> extraApps;

    QList<AppSettings> apps() const { return QList<AppSettings>{defaultApp} + extraApps; }
};

} // namespace DNotifier::Config
