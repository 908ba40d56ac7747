#pragma once

// Shown when a node presents another certificate than the one pinned for the profile. The
// console has refused the connection and sent nothing; the dialog says why and what to check.

#include <QDialog>

namespace DNotifier::Console {

class CertificateChangedDialog final : public QDialog
{
    Q_OBJECT

public:
    CertificateChangedDialog(const QString &profileName,
                             const QString &endpoint,
                             const QString &pinned,
                             const QString &presented,
                             QWidget *parent = nullptr);
};

} // namespace DNotifier::Console
