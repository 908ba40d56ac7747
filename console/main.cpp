#include "mainwindow.h"

#include <QApplication>

int main(int argc, char **argv)
{
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("dnotifier-console"));
    QApplication::setApplicationVersion(QStringLiteral(DNOTIFIER_VERSION));
    DNotifier::Console::MainWindow window;
    window.show();
    return QApplication::exec();
}
