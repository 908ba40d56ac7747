#include "mainwindow.h"

#include <QLabel>
#include <QStatusBar>

namespace DNotifier::Console {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("DNotifier Console"));
    auto *placeholder = new QLabel(tr("Not connected to a node."), this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
    statusBar()->showMessage(tr("Disconnected"));
    resize(960, 640);
}

} // namespace DNotifier::Console
