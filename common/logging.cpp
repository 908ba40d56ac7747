#include "logging.h"

Q_LOGGING_CATEGORY(lcCommon, "dnotifier.common", QtInfoMsg)
