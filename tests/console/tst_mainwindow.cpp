#include <console/mainwindow.h>

#include <QLabel>
#include <QStatusBar>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

class tst_MainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startsDisconnected();
};

void tst_MainWindow::startsDisconnected()
{
    DNotifier::Console::MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    auto *placeholder = qobject_cast<QLabel *>(window.centralWidget());
    QVERIFY(placeholder);
    QCOMPARE(placeholder->text(), u"Not connected to a node."_s);
    QCOMPARE(window.statusBar()->currentMessage(), u"Disconnected"_s);
    QCOMPARE(window.windowTitle(), u"DNotifier Console"_s);
    QVERIFY(!window.grab().isNull());
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
