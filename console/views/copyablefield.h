#pragma once

// A read-only line of text with a button that copies it to the clipboard: tokens, commands and
// secrets the operator pastes elsewhere. A masked field shows dots, yet copies the real text.

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
    void setMasked(bool masked);
    bool isMasked() const;

    QPushButton *copyButton() const { return m_copy; }

    // The text as shown: dots while masked.
    QString displayText() const;

private:
    QLineEdit *m_field;
    QPushButton *m_copy;
};

} // namespace DNotifier::Console
