#include "keychainsecretstore.h"

#include <console/logging.h>

#include <QPointer>

#include <qt6keychain/keychain.h>

namespace DNotifier::Console {

using namespace Qt::Literals::StringLiterals;

namespace {

Error errorOf(const QKeychain::Job &job)
{
    switch (job.error()) {
    case QKeychain::EntryNotFound:
        return Error{SecretStore::NotFound, job.errorString()};
    case QKeychain::CouldNotDeleteEntry:
        return Error{SecretStore::Failed, job.errorString()};
    default:
        // No backend, access denied, and also OtherError: QtKeychain reports a missing Secret
        // Service as "Unknown error", so an unclassified failure means no usable keychain.
        return Error{SecretStore::Unavailable, job.errorString()};
    }
}

// Jobs delete themselves after finished(); the handler is dropped if the context died.
template<typename Job, typename Finish>
void startJob(Job *job, const QString &account, QObject *context, Finish finish)
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(account);
    QObject::connect(job, &QKeychain::Job::finished, context,
                     [job, finish](QKeychain::Job *) { finish(*job); });
    job->start();
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service, QObject *parent)
    : SecretStore(parent)
    , m_service(std::move(service))
{ }

void KeychainSecretStore::read(const QString &account, QObject *context, ReadHandler handler)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    startJob(job, account, context, [handler = std::move(handler)](const auto &finished) {
        if (finished.error() != QKeychain::NoError) {
            handler(errorOf(finished));
            return;
        }
        handler(finished.textData());
    });
}

void KeychainSecretStore::write(const QString &account,
                                const QString &secret,
                                QObject *context,
                                DoneHandler handler)
{
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setTextData(secret);
    startJob(job, account, context, [handler = std::move(handler)](const auto &finished) {
        if (finished.error() != QKeychain::NoError) {
            qCWarning(lcProfiles) << "keychain write failed:" << finished.errorString();
            handler(errorOf(finished));
            return;
        }
        handler({});
    });
}

void KeychainSecretStore::remove(const QString &account, QObject *context, DoneHandler handler)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    startJob(job, account, context, [handler = std::move(handler)](const auto &finished) {
        if (finished.error() != QKeychain::NoError
            && finished.error() != QKeychain::EntryNotFound) {
            handler(errorOf(finished));
            return;
        }
        handler({});
    });
}

} // namespace DNotifier::Console
