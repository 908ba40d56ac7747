#include "logformat.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QStringList>

#include <cstdio>

#include <unistd.h>

namespace DNotifier::Observability {

using namespace Qt::Literals::StringLiterals;

namespace {

QMutex s_nodeIdLock;
QString s_nodeId;

QString levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return u"debug"_s;
    case QtInfoMsg:
        return u"info"_s;
    case QtWarningMsg:
        return u"warning"_s;
    case QtCriticalMsg:
        return u"error"_s;
    case QtFatalMsg:
        break;
    }
    return u"fatal"_s;
}

void writeJsonLine(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    QJsonObject line{{"time"_L1, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                     {"level"_L1, levelName(type)},
                     {"component"_L1,
                      QString::fromLatin1(context.category ? context.category : "default")},
                     {"message"_L1, message}};
    {
        const QMutexLocker lock(&s_nodeIdLock);
        if (!s_nodeId.isEmpty()) {
            line.insert("node"_L1, s_nodeId);
        }
    }
    // One write per line, so lines from several threads never interleave.
    const QByteArray bytes = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

} // namespace

LogFormat chooseLogFormat()
{
    const QByteArray chosen = qgetenv("DNOTIFIER_LOG_FORMAT");
    if (chosen == "text") {
        return LogFormat::Text;
    }
    if (chosen == "json") {
        return LogFormat::Json;
    }
    return isatty(STDERR_FILENO) ? LogFormat::Text : LogFormat::Json;
}

void installLogFormat(LogFormat format)
{
    if (format == LogFormat::Json) {
        qInstallMessageHandler(&writeJsonLine);
        return;
    }
    qSetMessagePattern(u"%{time yyyy-MM-ddThh:mm:ss.zzz} %{type} %{category}: %{message}"_s);
}

void setLogLevel(const QString &level)
{
    const QStringList levels{u"debug"_s, u"info"_s, u"warning"_s, u"critical"_s};
    const qsizetype first = level == "error"_L1 ? 3 : qMax<qsizetype>(0, levels.indexOf(level));
    QStringList rules;
    for (qsizetype i = 0; i < levels.size(); ++i) {
        rules.append(u"dnotifier.*.%1=%2"_s.arg(levels.at(i), i >= first ? u"true"_s : u"false"_s));
    }
    QLoggingCategory::setFilterRules(rules.join(u'\n'));
}

void setLogNodeId(const QString &nodeId)
{
    const QMutexLocker lock(&s_nodeIdLock);
    s_nodeId = nodeId;
}

} // namespace DNotifier::Observability
