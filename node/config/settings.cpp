#include "settings.h"

namespace DNotifier::Config {

const NamespaceSettings *AppSettings::namespaceOf(QStringView channel) const
{
    static const NamespaceSettings defaultNamespace;
    const qsizetype colon = channel.indexOf(u':');
    const QStringView name = colon < 0 ? QStringView() : channel.left(colon);
    for (const NamespaceSettings &space : namespaces) {
        if (space.name == name) {
            return &space;
        }
    }
    return name.isEmpty() ? &defaultNamespace : nullptr;
}

bool ClusterSettings::listensOnEveryAddress() const
{
    return peerHost == QHostAddress::AnyIPv4 || peerHost == QHostAddress::AnyIPv6
           || peerHost == QHostAddress::Any;
}

QString ClusterSettings::dialAddress(quint16 port) const
{
    if (!advertise.isEmpty()) {
        return advertise;
    }
    if (listensOnEveryAddress()) {
        return {};
    }
    const QString host = peerHost.protocol() == QAbstractSocket::IPv6Protocol
                                 ? u'[' + peerHost.toString() + u']'
                                 : peerHost.toString();
    return host + u':' + QString::number(port);
}

} // namespace DNotifier::Config
