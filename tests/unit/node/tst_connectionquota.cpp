// The node-wide and per-address connection limits: which one refuses, that a refusal takes
// nothing, that closing gives the share back, that trusted proxies count for the node only and
// that both spellings of an IPv4 address are one host.

#include <node/transport/connectionquota.h>

#include <QTest>

using namespace DNotifier::Transport;

class tst_ConnectionQuota : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addressLimitRefusesTheNextConnectionOfThatHostOnly();
    void nodeLimitRefusesEveryHostAndCountsProxies();
    void closingGivesBothSharesBack();
    void refusedByAddressTakesNoShareOfTheNode();
    void mappedIpv4IsTheSameHost();
    void zeroLimitsCountNothing();
};

void tst_ConnectionQuota::addressLimitRefusesTheNextConnectionOfThatHostOnly()
{
    ConnectionQuota quota(100, 2, {});
    QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::None);
    QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::None);
    QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::AddressFull);
    QCOMPARE(quota.tryOpen(u"10.1.1.2"_qs), QuotaRefusal::None);
}

void tst_ConnectionQuota::nodeLimitRefusesEveryHostAndCountsProxies()
{
    ConnectionQuota quota(3, 2, {u"127.0.0.1"_qs});
    QCOMPARE(quota.tryOpen(u"127.0.0.1"_qs), QuotaRefusal::None);
    QCOMPARE(quota.tryOpen(u"127.0.0.1"_qs), QuotaRefusal::None);
    // A trusted proxy is past the address limit of 2 but counts towards the node's 3.
    QCOMPARE(quota.tryOpen(u"127.0.0.1"_qs), QuotaRefusal::None);
    QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::NodeFull);
    QCOMPARE(quota.tryOpen(u"127.0.0.1"_qs), QuotaRefusal::NodeFull);
}

void tst_ConnectionQuota::closingGivesBothSharesBack()
{
    ConnectionQuota quota(2, 1, {});
    QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::None);
    QCOMPARE(quota.tryOpen(u"10.1.1.2"_qs), QuotaRefusal::None);
    QCOMPARE(quota.tryOpen(u"10.1.1.3"_qs), QuotaRefusal::NodeFull);
    quota.close(u"10.1.1.1"_qs);
    QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::None);
    QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::NodeFull);
}

void tst_ConnectionQuota::refusedByAddressTakesNoShareOfTheNode()
{
    ConnectionQuota quota(2, 1, {});
    QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::None);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::AddressFull);
    }
    QCOMPARE(quota.tryOpen(u"10.1.1.2"_qs), QuotaRefusal::None);
}

void tst_ConnectionQuota::mappedIpv4IsTheSameHost()
{
    ConnectionQuota quota(0, 1, {});
    QCOMPARE(quota.tryOpen(u"::ffff:10.1.1.1"_qs), QuotaRefusal::None);
    QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::AddressFull);
    quota.close(u"10.1.1.1"_qs);
    QCOMPARE(quota.tryOpen(u"::ffff:10.1.1.1"_qs), QuotaRefusal::None);
}

void tst_ConnectionQuota::zeroLimitsCountNothing()
{
    ConnectionQuota quota(0, 0, {});
    for (int i = 0; i < 1000; ++i) {
        QCOMPARE(quota.tryOpen(u"10.1.1.1"_qs), QuotaRefusal::None);
    }
}

QTEST_GUILESS_MAIN(tst_ConnectionQuota)
#include "tst_connectionquota.moc"
