#pragma once

// The console's activity log: connection events, command outcomes and errors with their
// details, newest last, so a message shown briefly elsewhere can be read again.

#include <QPlainTextEdit>

namespace DNotifier::Console {

class ActivityLog final : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit ActivityLog(QWidget *parent = nullptr);

    void append(const QString &message);
};

} // namespace DNotifier::Console
