#include "acceptedstream.h"

#include "descriptorstream.h"
#include "epolldispatcher.h"
#include "socketbudget.h"
#include "socketstream.h"

#include <node/logging.h>

#include <QSslSocket>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace DNotifier::Transport {

namespace {

ByteStream *refuse(int fd, SocketBudget *budget)
{
    ::close(fd);
    budget->release();
    return nullptr;
}

} // namespace

ByteStream *acceptedStream(int fd,
                           const std::optional<QSslConfiguration> &tls,
                           SocketBudget *budget)
{
    EpollDispatcher *dispatcher = EpollDispatcher::ofThisThread();
    if (!tls && dispatcher) {
        // The node already gathers each connection's output into one write per loop turn;
        // Nagle's algorithm would only hold a lone frame back until the client acknowledges the
        // previous one, which a delayed acknowledgement can put off by milliseconds.
        const int noDelay = 1;
        if (::fcntl(fd, F_SETFL, O_NONBLOCK) != 0
            || ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &noDelay, sizeof(noDelay)) != 0) {
            qCWarning(lcTransport) << "could not set up accepted socket:" << qt_error_string(errno);
            return refuse(fd, budget);
        }
        return new DescriptorStream(fd, dispatcher, budget);
    }
    auto *socket = tls ? new QSslSocket : new QTcpSocket;
    if (!socket->setSocketDescriptor(fd)) {
        qCWarning(lcTransport) << "could not adopt socket" << socket->errorString();
        delete socket;
        return refuse(fd, budget);
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // The socket reports nothing decrypted before its handshake is done, so HTTP starts after
    // it. A handshake that stalls is ended by the HTTP connection's idle timer like a slow
    // request.
    if (auto *encrypted = qobject_cast<QSslSocket *>(socket)) {
        encrypted->setSslConfiguration(*tls);
        encrypted->startServerEncryption();
    }
    // A child: it gives the share back whichever stream or linger deletes the socket.
    new SocketBudgetToken(budget, socket);
    return new SocketStream(socket);
}

} // namespace DNotifier::Transport
