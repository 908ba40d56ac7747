#include "certificatechangeddialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QStyle>
#include <QVBoxLayout>

namespace DNotifier::Console {

CertificateChangedDialog::CertificateChangedDialog(const QString &profileName,
                                                   const QString &endpoint,
                                                   const QString &pinned,
                                                   const QString &presented,
                                                   QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Certificate changed: connection refused"));
    auto *icon = new QLabel;
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(48, 48));
    auto *intro = new QLabel(
            tr("The node at %1 presented a different certificate from the one pinned for the "
               "profile \"%2\". The console refused to connect and sent no key.")
                    .arg(endpoint, profileName));
    intro->setWordWrap(true);
    const auto fingerprintLabel = [](const QString &text, const char *name) {
        auto *label = new QLabel(text);
        label->setObjectName(QLatin1StringView(name));
        label->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        return label;
    };
    auto *fingerprints = new QFormLayout;
    fingerprints->addRow(tr("Pinned:"), fingerprintLabel(pinned, "pinned"));
    fingerprints->addRow(tr("Presented:"), fingerprintLabel(presented, "presented"));
    auto *advice = new QLabel(
            tr("This happens when the node's certificate was replaced, and also when someone "
               "intercepts the connection. If you replaced it, check the new fingerprint in the "
               "node's start-up output, then choose Profile > Edit, Forget pinned certificate, "
               "and connect again."));
    advice->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    top->addWidget(intro, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(fingerprints);
    layout->addWidget(advice);
    layout->addWidget(buttons);
}

} // namespace DNotifier::Console
