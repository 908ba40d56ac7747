#include "formatting.h"

#include <QCoreApplication>
#include <QDateTime>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

QString formatDuration(qint64 seconds)
{
    const auto tr = [](const char *text) {
        return QCoreApplication::translate("DNotifier::Console::Formatting", text);
    };
    if (seconds < 60) {
        return tr("%1 s").arg(std::max<qint64>(seconds, 0));
    }
    if (seconds < 3600) {
        return tr("%1 min").arg(seconds / 60);
    }
    if (seconds < 86400) {
        return tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
    }
    return tr("%1 d %2 h").arg(seconds / 86400).arg(seconds % 86400 / 3600);
}

QString formatTimestamp(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toString(u"yyyy-MM-dd HH:mm:ss"_s);
}

QString formatRate(double perSecond)
{
    return perSecond < 10 ? QString::number(perSecond, 'f', 1)
                          : QString::number(qRound64(perSecond));
}

} // namespace DNotifier::Console
