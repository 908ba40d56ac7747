#include "banner.h"

namespace DNotifier::Runtime {

using namespace Qt::Literals::StringLiterals;

QString startBanner(const Config::NodeSettings &settings,
                    quint16 port,
                    const ClusterBanner &cluster,
                    const AdminBanner &admin,
                    bool freshCredentials,
                    const QString &credentialsFile)
{
    const Config::AppSettings &app = settings.defaultApp;
    QString host = settings.host.toString();
    if (settings.host.protocol() == QAbstractSocket::IPv6Protocol) {
        host = u"[%1]"_s.arg(host);
    }
    QString text = u"DNotifier node %1\n"_s.arg(QLatin1StringView(DNOTIFIER_VERSION));
    const bool tls = !settings.tlsCertificateFile.isEmpty();
    const QString http = tls ? u"https"_s : u"http"_s;
    const QString ws = tls ? u"wss"_s : u"ws"_s;
    text += u"Listening on %1://%2:%3\n"_s.arg(http, host).arg(port);
    text += u"  WebSocket (Pusher protocol 7): %1://%2:%3/app/%4\n"_s.arg(ws, host).arg(port).arg(
            QString::fromUtf8(app.key));
    text += u"  HTTP API: %1://%2:%3/apps/%4/events\n"_s.arg(http, host).arg(port).arg(app.id);
    QString peerHost = settings.cluster.peerHost.toString();
    if (settings.cluster.peerHost.protocol() == QAbstractSocket::IPv6Protocol) {
        peerHost = u"[%1]"_s.arg(peerHost);
    }
    text += u"Peer links on %1:%2 (cluster %3, region %4%5)\n"_s.arg(peerHost)
                    .arg(cluster.peerPort)
                    .arg(cluster.clusterId, settings.cluster.region,
                         cluster.newCluster ? u", new cluster"_s : QString());
    QString adminHost = settings.admin.host.toString();
    if (settings.admin.host.protocol() == QAbstractSocket::IPv6Protocol) {
        adminHost = u"[%1]"_s.arg(adminHost);
    }
    text += u"Admin channel on wss://%1:%2/admin\n"_s.arg(adminHost).arg(admin.port);
    text += u"  certificate SHA-256 fingerprint %1\n"_s.arg(admin.fingerprint);
    text += u"Data directory: %1\n"_s.arg(settings.dataDir);
    if (!admin.newKeys.isEmpty()) {
        text += u"\nAdmin keys for the console were created (kept in %1, mode 0600):\n"_s.arg(
                admin.keysFile);
        for (const Config::AdminKey &key : admin.newKeys) {
            text += u"  %1 %2\n"_s.arg(QString(key.name + u':').leftJustified(10),
                                       QString::fromUtf8(key.key));
        }
    }
    if (freshCredentials) {
        text += u"\nA default app was created (kept in %1, mode 0600):\n"_s.arg(credentialsFile);
        text += u"  app id: %1\n  key:    %2\n  secret: %3\n"_s.arg(app.id,
                                                                    QString::fromUtf8(app.key),
                                                                    QString::fromUtf8(app.secret));
    }
    text += u"\nConnect with pusher-js:\n"_s;
    text += u"  const pusher = new Pusher('%1', {\n"_s.arg(QString::fromUtf8(app.key));
    text += tls ? u"    wsHost: '%1', wssPort: %2, forceTLS: true,\n"_s
                            .arg(settings.host.toString())
                            .arg(port)
                : u"    wsHost: '%1', wsPort: %2, forceTLS: false,\n"_s
                            .arg(settings.host.toString())
                            .arg(port);
    text += u"    enabledTransports: ['ws', 'wss'], disableStats: true, cluster: '',\n  });\n"_s;
    text += u"  pusher.subscribe('my-channel').bind('my-event', (data) => console.log(data));\n"_s;
    return text;
}

} // namespace DNotifier::Runtime
