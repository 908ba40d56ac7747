#pragma once

// The console's main window. Until the admin channel exists it only shows that it is not
// connected to any node.

#include <QMainWindow>

namespace DNotifier::Console {

class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace DNotifier::Console
