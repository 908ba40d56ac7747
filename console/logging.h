#pragma once

// The console's logging categories. They default to warnings: an operator's terminal stays
// quiet unless something went wrong, and QT_LOGGING_RULES turns the rest on.

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcConsole)
Q_DECLARE_LOGGING_CATEGORY(lcAdminClient)
Q_DECLARE_LOGGING_CATEGORY(lcProfiles)
Q_DECLARE_LOGGING_CATEGORY(lcModels)
