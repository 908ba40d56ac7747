#include "tokensview.h"

#include "appspanel.h"
#include "copyablefield.h"

#include <console/models/appsmodel.h>
#include <console/models/channelsmodel.h>
#include <console/models/connectionsmodel.h>
#include <console/models/formatting.h>
#include <console/session/clustersession.h>

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

TokensView::TokensView(ClusterSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_app(new QComboBox)
    , m_kind(new QComboBox)
    , m_subject(new QLineEdit)
    , m_channel(new QLineEdit)
    , m_expiresIn(new QSpinBox)
    , m_info(new QLineEdit)
    , m_issue(new QPushButton(tr("Iss&ue token")))
    , m_token(new CopyableField(tr("Cop&y token")))
    , m_tokenStatus(new QLabel)
    , m_joinTtl(new QSpinBox)
    , m_seeds(new QLineEdit)
    , m_join(new QPushButton(tr("Create &join token")))
    , m_command(new CopyableField(tr("Copy co&mmand")))
    , m_joinStatus(new QLabel)
    , m_apps(new AppsPanel(session))
{
    auto *forms = new QVBoxLayout;
    forms->addWidget(makeTokenForm());
    forms->addWidget(makeJoinForm());
    forms->addStretch(1);
    auto *layout = new QHBoxLayout(this);
    layout->addLayout(forms, 1);
    layout->addWidget(m_apps, 1);

    connect(m_kind, &QComboBox::currentIndexChanged, this, &TokensView::updateKind);
    connect(m_issue, &QPushButton::clicked, this, &TokensView::issueToken);
    connect(m_join, &QPushButton::clicked, this, &TokensView::createJoinToken);
    connect(m_apps, &AppsPanel::activity, this, &TokensView::activity);
    connect(session->apps(), &QAbstractItemModel::modelReset, this, &TokensView::rememberApps);
    connect(session->apps(), &QAbstractItemModel::rowsInserted, this, &TokensView::rememberApps);
    for (KeyedTableModel *model : {static_cast<KeyedTableModel *>(session->channels()),
                                   static_cast<KeyedTableModel *>(session->connections())}) {
        connect(model, &QAbstractItemModel::modelReset, this, &TokensView::rememberApps);
        connect(model, &QAbstractItemModel::rowsInserted, this, &TokensView::rememberApps);
    }
    setAdminAllowed(false);
}

QWidget *TokensView::makeTokenForm()
{
    m_app->setEditable(true);
    m_app->setToolTip(
            tr("The app id; the apps the node lists and those seen in channels and connections "
               "are offered"));
    m_kind->addItem(tr("Connection token"), u"connection"_s);
    m_kind->addItem(tr("Subscription token"), u"subscription"_s);
    m_subject->setPlaceholderText(tr("User id (the sub claim)"));
    m_channel->setPlaceholderText(tr("Channel the token lets the user subscribe to"));
    m_expiresIn->setRange(1, 365 * 24 * 3600);
    m_expiresIn->setValue(3600);
    m_expiresIn->setSuffix(tr(" s"));
    m_info->setPlaceholderText(tr("Optional JSON object, e.g. {\"name\":\"Ada\"}"));
    m_tokenStatus->setWordWrap(true);

    auto *box = new QGroupBox(tr("Client tokens (JWT, HS256)"));
    auto *form = new QFormLayout(box);
    form->addRow(tr("&App:"), m_app);
    form->addRow(tr("&Kind:"), m_kind);
    form->addRow(tr("&Subject:"), m_subject);
    form->addRow(tr("C&hannel:"), m_channel);
    form->addRow(tr("&Expires in:"), m_expiresIn);
    form->addRow(tr("Extra &claims (info):"), m_info);
    form->addRow(QString(), m_issue);
    form->addRow(tr("Token:"), m_token);
    form->addRow(QString(), m_tokenStatus);
    updateKind();
    return box;
}

QWidget *TokensView::makeJoinForm()
{
    m_joinTtl->setRange(60, 7 * 24 * 3600);
    m_joinTtl->setValue(3600);
    m_joinTtl->setSuffix(tr(" s"));
    m_seeds->setPlaceholderText(tr("Optional: host:port of nodes to dial, separated by commas"));
    m_joinStatus->setWordWrap(true);

    auto *box = new QGroupBox(tr("Join a new node to this cluster"));
    auto *form = new QFormLayout(box);
    form->addRow(tr("Valid f&or:"), m_joinTtl);
    form->addRow(tr("See&ds:"), m_seeds);
    form->addRow(QString(), m_join);
    form->addRow(tr("Command:"), m_command);
    form->addRow(QString(), m_joinStatus);
    return box;
}

void TokensView::setAdminAllowed(bool allowed)
{
    m_adminAllowed = allowed;
    const QString readOnly = tr("Needs an admin key; this key is read-only.");
    for (QPushButton *button : {m_issue, m_join}) {
        button->setEnabled(allowed);
        button->setToolTip(allowed ? QString() : readOnly);
    }
    m_apps->setAdminAllowed(allowed);
}

void TokensView::rememberApps()
{
    for (const AppCredentials &app : m_session->apps()->apps()) {
        if (m_app->findText(app.id) < 0) {
            m_app->addItem(app.id);
        }
    }
    for (KeyedTableModel *model : {static_cast<KeyedTableModel *>(m_session->channels()),
                                   static_cast<KeyedTableModel *>(m_session->connections())}) {
        for (const QJsonObject &item : model->items().items()) {
            const QString app = item.value("app"_L1).toString();
            if (!app.isEmpty() && m_app->findText(app) < 0) {
                m_app->addItem(app);
            }
        }
    }
}

void TokensView::updateKind()
{
    m_channel->setEnabled(m_kind->currentData().toString() == "subscription"_L1);
}

void TokensView::issueToken()
{
    if (!m_adminAllowed) {
        return;
    }
    ClusterSession::TokenRequest request;
    request.app = m_app->currentText().trimmed();
    request.kind = m_kind->currentData().toString();
    request.subject = m_subject->text().trimmed();
    request.channel = m_channel->text().trimmed();
    request.expiresInSeconds = m_expiresIn->value();
    if (request.app.isEmpty()) {
        m_tokenStatus->setText(tr("Name the app the token is for."));
        return;
    }
    if (request.kind == "subscription"_L1 && request.channel.isEmpty()) {
        m_tokenStatus->setText(tr("A subscription token needs a channel."));
        return;
    }
    if (!m_info->text().trimmed().isEmpty()) {
        const QJsonDocument info = QJsonDocument::fromJson(m_info->text().toUtf8());
        if (!info.isObject()) {
            m_tokenStatus->setText(tr("Info must be a JSON object."));
            return;
        }
        request.info = info.object();
    }
    m_token->setText({});
    m_tokenStatus->setText(tr("Issuing…"));
    m_session->issueToken(request, this, [this](const AdminReply &reply) {
        if (!reply.isOk()) {
            m_tokenStatus->setText(
                    tr("The node did not issue a token: %1").arg(reply.error().message));
            Q_EMIT activity(m_tokenStatus->text());
            return;
        }
        m_token->setText(reply.result().value("token"_L1).toString());
        m_tokenStatus->setText(
                tr("Expires %1")
                        .arg(formatTimestamp(reply.result().value("expires_at"_L1).toInteger()
                                             * 1000)));
        Q_EMIT activity(tr("Issued a token"));
    });
}

void TokensView::createJoinToken()
{
    if (!m_adminAllowed) {
        return;
    }
    QStringList seeds;
    for (const QString &seed : m_seeds->text().split(u',', Qt::SkipEmptyParts)) {
        if (!seed.trimmed().isEmpty()) {
            seeds.append(seed.trimmed());
        }
    }
    m_command->setText({});
    m_joinStatus->setText(tr("Creating…"));
    m_session->createJoinToken(m_joinTtl->value(), seeds, this, [this](const AdminReply &reply) {
        if (!reply.isOk()) {
            m_joinStatus->setText(
                    tr("The node did not create a join token: %1").arg(reply.error().message));
            Q_EMIT activity(m_joinStatus->text());
            return;
        }
        m_command->setText(reply.result().value("command"_L1).toString());
        m_joinStatus->setText(
                tr("Run this command on the new server before %1.")
                        .arg(formatTimestamp(reply.result().value("expires_at"_L1).toInteger()
                                             * 1000)));
        Q_EMIT activity(tr("Created a join token"));
    });
}

} // namespace DNotifier::Console
