#include "logging.h"

Q_LOGGING_CATEGORY(lcConsole, "dnotifier.console", QtWarningMsg)
Q_LOGGING_CATEGORY(lcAdminClient, "dnotifier.console.admin", QtWarningMsg)
Q_LOGGING_CATEGORY(lcProfiles, "dnotifier.console.profiles", QtWarningMsg)
Q_LOGGING_CATEGORY(lcModels, "dnotifier.console.models", QtWarningMsg)
