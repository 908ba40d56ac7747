#include "activitylog.h"

#include <QTime>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

ActivityLog::ActivityLog(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setMaximumBlockCount(2000);
    setAccessibleName(tr("Activity log"));
}

void ActivityLog::append(const QString &message)
{
    appendPlainText(QTime::currentTime().toString(u"HH:mm:ss"_s) + u"  "_s + message);
}

} // namespace DNotifier::Console
