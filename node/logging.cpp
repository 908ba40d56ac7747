#include "logging.h"

Q_LOGGING_CATEGORY(lcNode, "dnotifier.node", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTransport, "dnotifier.node.transport", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "dnotifier.node.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcPusher, "dnotifier.node.pusher", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCentrifuge, "dnotifier.node.centrifuge", QtInfoMsg)
Q_LOGGING_CATEGORY(lcApi, "dnotifier.node.api", QtInfoMsg)
Q_LOGGING_CATEGORY(lcWebhook, "dnotifier.node.webhook", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCluster, "dnotifier.node.cluster", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAdmin, "dnotifier.node.admin", QtInfoMsg)
