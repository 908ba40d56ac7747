#pragma once

// First contact with a node: shows the fingerprint of the certificate it presented and asks
// whether to trust it, as SSH does for an unknown host key. Nothing secret has been sent yet.

#include <QDialog>

namespace DNotifier::Console {

class FingerprintDialog final : public QDialog
{
    Q_OBJECT

public:
    FingerprintDialog(const QString &endpoint,
                      const QString &fingerprint,
                      QWidget *parent = nullptr);

    QString fingerprint() const { return m_fingerprint; }

private:
    QString m_fingerprint;
};

} // namespace DNotifier::Console
