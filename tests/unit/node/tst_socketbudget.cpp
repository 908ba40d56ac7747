// The socket budget: what it leaves of the open-file limit, and that it grows the process's
// descriptor table once, up front, to hold every socket it allows.

#include <node/transport/socketbudget.h>

#include <QDir>
#include <QFile>
#include <QTest>

#include <sys/resource.h>

using namespace DNotifier::Transport;

namespace {

// The number of descriptor slots the kernel has allocated for this process ("FDSize").
int descriptorTableSize()
{
    QFile status(u"/proc/self/status"_qs);
    if (!status.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("FDSize:")) {
            return line.mid(7).trimmed().toInt();
        }
    }
    return -1;
}

// Lowers this process's open-file limit for as long as it lives.
class LoweredOpenFileLimit
{
public:
    explicit LoweredOpenFileLimit(rlim_t limit)
    {
        getrlimit(RLIMIT_NOFILE, &m_original);
        rlimit lowered = m_original;
        lowered.rlim_cur = limit;
        m_lowered = setrlimit(RLIMIT_NOFILE, &lowered) == 0;
    }

    ~LoweredOpenFileLimit() { setrlimit(RLIMIT_NOFILE, &m_original); }
    Q_DISABLE_COPY_MOVE(LoweredOpenFileLimit)

    bool isLowered() const { return m_lowered; }

private:
    rlimit m_original{};
    bool m_lowered = false;
};

int openDescriptors()
{
    return int(QDir(u"/proc/self/fd"_qs).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size());
}

} // namespace

class tst_SocketBudget : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void leavesReservedDescriptorsOfTheLimit();
    void reservingGrowsTheTableToHoldTheBudget();
    void reservingBeyondTheLimitChangesNothing();
};

void tst_SocketBudget::leavesReservedDescriptorsOfTheLimit()
{
    const LoweredOpenFileLimit limit(1000);
    QVERIFY(limit.isLowered());
    QCOMPARE(SocketBudget::fromOpenFileLimit(), 872);
}

void tst_SocketBudget::reservingGrowsTheTableToHoldTheBudget()
{
    // A fresh test process has a table of 64 or 256 slots.
    QVERIFY(descriptorTableSize() < 2000);
    const int before = openDescriptors();
    SocketBudget(2000).reserveDescriptorTable();
    // Tables come in powers of two: 2,000 sockets and 128 kept back need 4,096 slots.
    QCOMPARE(descriptorTableSize(), 4096);
    QCOMPARE(openDescriptors(), before);
}

void tst_SocketBudget::reservingBeyondTheLimitChangesNothing()
{
    const LoweredOpenFileLimit limit(1000);
    QVERIFY(limit.isLowered());
    const int tableBefore = descriptorTableSize();
    const int before = openDescriptors();
    // A budget the limit does not allow: the table cannot grow past the limit.
    SocketBudget(20'000).reserveDescriptorTable();
    QCOMPARE(descriptorTableSize(), tableBefore);
    QCOMPARE(openDescriptors(), before);
}

QTEST_GUILESS_MAIN(tst_SocketBudget)
#include "tst_socketbudget.moc"
