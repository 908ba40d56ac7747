#include <console/profiles/keychainsecretstore.h>
#include <console/profiles/profilestore.h>
#include <console/views/mainwindow.h>

#include <QApplication>

using namespace DNotifier::Console;
using namespace Qt::Literals::StringLiterals;

int main(int argc, char **argv)
{
    QApplication application(argc, argv);
    QApplication::setOrganizationName(u"DNotifier"_s);
    QApplication::setApplicationName(u"dnotifier-console"_s);
    QApplication::setApplicationVersion(QStringLiteral(DNOTIFIER_VERSION));
    ProfileStore profiles;
    KeychainSecretStore secrets(u"dnotifier-console"_s);
    MainWindow window(&profiles, &secrets);
    window.show();
    return QApplication::exec();
}
