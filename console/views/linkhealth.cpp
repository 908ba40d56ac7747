#include "linkhealth.h"

#include <QCoreApplication>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

LinkHealth linkHealth(const QJsonValue &rtt)
{
    if (!rtt.isDouble() || rtt.toDouble() < 0) {
        return LinkHealth::Unknown;
    }
    const double ms = rtt.toDouble();
    if (ms <= GoodRttMs) {
        return LinkHealth::Good;
    }
    return ms <= SlowRttMs ? LinkHealth::Slow : LinkHealth::Poor;
}

QColor linkColor(LinkHealth health)
{
    switch (health) {
    case LinkHealth::Good:
        return QColor(0x2e, 0xa0, 0x43);
    case LinkHealth::Slow:
        return QColor(0xd2, 0x8c, 0x00);
    case LinkHealth::Poor:
        return QColor(0xd7, 0x3a, 0x49);
    case LinkHealth::Unknown:
        break;
    }
    return QColor(0x8c, 0x8c, 0x8c);
}

QString linkLabel(const QJsonValue &rtt)
{
    if (linkHealth(rtt) == LinkHealth::Unknown) {
        return u"?"_s;
    }
    const double ms = rtt.toDouble();
    const QString number = ms < 10 ? QString::number(ms, 'f', 1) : QString::number(qRound(ms));
    return QCoreApplication::translate("DNotifier::Console::LinkHealth", "%1 ms").arg(number);
}

} // namespace DNotifier::Console
