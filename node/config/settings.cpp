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

} // namespace DNotifier::Config
