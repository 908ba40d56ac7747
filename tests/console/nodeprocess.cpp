#include "nodeprocess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#ifdef Q_OS_LINUX
#include <csignal>

#include <sys/prctl.h>
#endif

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject readJsonFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

NodeProcess::NodeProcess(QString program, QString dataDir, QObject *parent)
    : QObject(parent)
    , m_program(std::move(program))
    , m_dataDir(std::move(dataDir))
{
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
#ifdef Q_OS_LINUX
    // A test that crashes runs no destructor: the kernel then ends the node with it, and no
    // orphan keeps ctest waiting on the standard error it shares.
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &NodeProcess::readBanner);
}

NodeProcess::~NodeProcess()
{
    stop();
}

bool NodeProcess::start()
{
    m_output.clear();
    m_port = 0;
    m_adminPort = 0;
    m_peerPort = 0;
    m_fingerprint.clear();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(m_environment);
    m_process.setProcessEnvironment(environment);
    m_process.start(m_program, QStringList{u"--data-dir"_s, m_dataDir, u"--host"_s, u"127.0.0.1"_s,
                                           u"--port"_s, u"0"_s, u"--peer-host"_s, u"127.0.0.1"_s,
                                           u"--peer-port"_s, u"0"_s, u"--admin-port"_s, u"0"_s}
                                       + m_extraArguments);
    if (!m_process.waitForStarted()) {
        m_error = m_process.errorString();
        return false;
    }
    // Not a timing assertion: a bound on how long a broken node may keep the test waiting.
    const QDeadlineTimer deadline(30'000);
    while (!bannerComplete() && m_process.state() == QProcess::Running && !deadline.hasExpired()) {
        QTest::qWait(20);
    }
    if (!bannerComplete()) {
        m_error =
                u"no complete banner from the node; it printed:\n"_s + QString::fromUtf8(m_output);
        stop();
        return false;
    }
    m_keys = readJsonFile(QDir(m_dataDir).filePath(u"admin-keys.json"_s));
    m_app = readJsonFile(QDir(m_dataDir).filePath(u"default-app.json"_s));
    return true;
}

void NodeProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning) {
        return;
    }
    m_process.kill();
    m_process.waitForFinished();
}

void NodeProcess::readBanner()
{
    m_output += m_process.readAllStandardOutput();
    const QString text = QString::fromUtf8(m_output);
    static const QRegularExpression listening(u"Listening on http://127\\.0\\.0\\.1:(\\d+)"_s);
    static const QRegularExpression admin(u"Admin channel on wss://127\\.0\\.0\\.1:(\\d+)/admin"_s);
    static const QRegularExpression peer(u"Peer links on 127\\.0\\.0\\.1:(\\d+)"_s);
    static const QRegularExpression fingerprint(
            u"certificate SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})"_s);
    if (const auto match = listening.match(text); match.hasMatch()) {
        m_port = match.captured(1).toUShort();
    }
    if (const auto match = peer.match(text); match.hasMatch()) {
        m_peerPort = match.captured(1).toUShort();
    }
    if (const auto match = admin.match(text); match.hasMatch()) {
        m_adminPort = match.captured(1).toUShort();
    }
    if (const auto match = fingerprint.match(text); match.hasMatch()) {
        m_fingerprint = match.captured(1);
    }
}

bool NodeProcess::bannerComplete() const
{
    return m_port != 0 && m_peerPort != 0 && m_adminPort != 0 && !m_fingerprint.isEmpty();
}

QString NodeProcess::adminKey(const QString &role) const
{
    for (const QJsonValue &entry : m_keys.value("keys"_L1).toArray()) {
        if (entry.toObject().value("role"_L1).toString() == role) {
            return entry.toObject().value("key"_L1).toString();
        }
    }
    return {};
}
