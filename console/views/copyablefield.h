#pragma once

// A read-only line of text with a button that copies it to the clipboard: tokens and
// commands the operator pastes elsewhere.

#include <QWidget>

class QLineEdit;
class QPushButton;

namespace DNotifier::Console {

class CopyableField final : public QWidget
{
    Q_OBJECT

public:
    // `copyText` is the button's text, with its mnemonic ("&Copy token").
    explicit CopyableField(const QString &copyText, QWidget *parent = nullptr);

    void setText(const QString &text);
    QString text() const;

    QPushButton *copyButton() const { return m_copy; }

private:
    QLineEdit *m_field;
    QPushButton *m_copy;
};

} // namespace DNotifier::Console
