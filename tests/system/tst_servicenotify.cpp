// The node as systemd runs it with Type=notify: a real dnotifier-node process, started with
// NOTIFY_SOCKET naming a datagram socket this test owns, must say READY=1 (with a status) once
// it listens, RELOADING=1 then READY=1 around a SIGHUP, and STOPPING=1 on SIGTERM.

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;

class tst_ServiceNotify : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void readyReloadingAndStopping();

private:
    // The next datagram from the node, or an empty one after `timeoutMs`.
    QByteArray nextMessage(int timeoutMs = 20'000);

    QTemporaryDir m_dir;
    int m_socket = -1;
    QProcess m_node;
};

void tst_ServiceNotify::init()
{
    QVERIFY(m_dir.isValid());
    m_socket = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    QVERIFY(m_socket >= 0);
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    const QByteArray path = m_dir.filePath(u"notify"_s).toUtf8();
    QVERIFY(size_t(path.size()) < sizeof(address.sun_path));
    std::copy(path.cbegin(), path.cend(), address.sun_path);
    QCOMPARE(::bind(m_socket, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"NOTIFY_SOCKET"_s, QString::fromUtf8(path));
    environment.insert(u"DNOTIFIER_LOG_FORMAT"_s, u"text"_s);
    m_node.setProcessEnvironment(environment);
    m_node.setProgram(QStringLiteral(DNOTIFIER_NODE_PATH));
    m_node.setArguments({u"--data-dir"_s, m_dir.filePath(u"data"_s), u"--port"_s, u"0"_s,
                         u"--peer-port"_s, u"0"_s, u"--admin-port"_s, u"0"_s});
    m_node.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_node.start();
    QVERIFY(m_node.waitForStarted());
}

void tst_ServiceNotify::cleanup()
{
    if (m_node.state() != QProcess::NotRunning) {
        m_node.kill();
        m_node.waitForFinished();
    }
    if (m_socket >= 0) {
        ::close(m_socket);
        m_socket = -1;
    }
}

QByteArray tst_ServiceNotify::nextMessage(int timeoutMs)
{
    pollfd ready{m_socket, POLLIN, 0};
    if (::poll(&ready, 1, timeoutMs) != 1) {
        return {};
    }
    QByteArray buffer(4096, '\0');
    const ssize_t size = ::recv(m_socket, buffer.data(), size_t(buffer.size()), 0);
    return size > 0 ? buffer.left(size) : QByteArray();
}

void tst_ServiceNotify::readyReloadingAndStopping()
{
    const QByteArray ready = nextMessage();
    QVERIFY2(ready.startsWith("READY=1\nSTATUS=serving on port "), ready.constData());
    QVERIFY2(ready.contains(", admin on "), ready.constData());

    QCOMPARE(::kill(pid_t(m_node.processId()), SIGHUP), 0);
    QCOMPARE(nextMessage(), "RELOADING=1"_ba);
    QVERIFY(nextMessage().startsWith("READY=1\n"));

    m_node.terminate();
    QCOMPARE(nextMessage(), "STOPPING=1"_ba);
    QVERIFY(m_node.waitForFinished(10'000));
    QCOMPARE(m_node.exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_node.exitCode(), 0);
}

QTEST_GUILESS_MAIN(tst_ServiceNotify)
#include "tst_servicenotify.moc"
