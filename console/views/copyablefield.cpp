#include "copyablefield.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace DNotifier::Console {

CopyableField::CopyableField(const QString &copyText, QWidget *parent)
    : QWidget(parent)
    , m_field(new QLineEdit)
    , m_copy(new QPushButton(copyText))
{
    m_field->setReadOnly(true);
    m_field->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_copy->setEnabled(false);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_field, 1);
    layout->addWidget(m_copy);
    connect(m_copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_field->text()); });
}

void CopyableField::setText(const QString &text)
{
    m_field->setText(text);
    m_field->setCursorPosition(0);
    m_copy->setEnabled(!text.isEmpty());
}

QString CopyableField::text() const
{
    return m_field->text();
}

void CopyableField::setMasked(bool masked)
{
    m_field->setEchoMode(masked ? QLineEdit::Password : QLineEdit::Normal);
}

bool CopyableField::isMasked() const
{
    return m_field->echoMode() != QLineEdit::Normal;
}

QString CopyableField::displayText() const
{
    return m_field->displayText();
}

} // namespace DNotifier::Console
