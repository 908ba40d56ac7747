#include "fingerprintdialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace DNotifier::Console {

FingerprintDialog::FingerprintDialog(const QString &endpoint,
                                     const QString &fingerprint,
                                     QWidget *parent)
    : QDialog(parent)
    , m_fingerprint(fingerprint)
{
    setWindowTitle(tr("Trust this node?"));
    auto *intro = new QLabel(tr("This is the first connection to %1. The node presents a "
                                "certificate with this SHA-256 fingerprint:")
                                     .arg(endpoint));
    intro->setWordWrap(true);
    auto *value = new QLabel(fingerprint);
    value->setObjectName(QStringLiteral("fingerprint"));
    value->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    value->setWordWrap(true);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    auto *advice = new QLabel(tr("Compare it with the \"certificate SHA-256 fingerprint\" line the "
                                 "node prints at start. Trust it only if they are the same: the "
                                 "console then pins it and refuses any other certificate."));
    advice->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    QPushButton *trust = buttons->addButton(tr("&Trust and connect"), QDialogButtonBox::AcceptRole);
    trust->setAutoDefault(false);
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(value);
    layout->addWidget(advice);
    layout->addWidget(buttons);
}

} // namespace DNotifier::Console
