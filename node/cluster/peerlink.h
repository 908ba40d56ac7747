#pragma once

// One authenticated TCP link to another node. The dialing side says hello with a nonce; the
// accepting side answers with its own nonce and proof that it holds the cluster key, so the
// dialer learns it reached the right cluster before it proves anything itself; then the
// dialer proves, and both exchange member records. After that the link carries peer
// messages both ways until either side closes it. Lives on the broker thread.

#include "peerframing.h"
#include "peermessages.h"

#include <QObject>
#include <QSslConfiguration>
#include <QTcpSocket>
#include <QTimer>

#include <functional>
#include <optional>

namespace DNotifier::Cluster {

struct LinkCredentials
{
    QString clusterId;
    QByteArray secret;
    Broker::NodeId self;
    // The record this node presents; asked for at handshake time, so it is current.
    std::function<MemberRecord()> selfRecord;
    // Set when peer links use TLS: what dialled links use (certificates are self-signed and
    // not verified by a CA: the proofs are bound to the accepting side's certificate instead).
    std::optional<QSslConfiguration> tls;
    // The SHA-256 digest of this node's own certificate, when it accepts TLS links.
    QByteArray ownCertificateDigest;
};

// The two proofs of a handshake: each side's covers both nonces and both ids in its own
// order, so neither can be replayed as the other or on another link. Over TLS both also
// cover the digest of the accepting side's certificate as each side sees it: a relay in the
// middle, which shows the dialer a certificate of its own, makes both proofs fail.
QByteArray acceptorProof(const QByteArray &key,
                         const Hello &hello,
                         const QByteArray &acceptorNonce,
                         const Broker::NodeId &acceptor,
                         const QByteArray &certificateDigest);
QByteArray dialerProof(const QByteArray &key,
                       const Hello &hello,
                       const QByteArray &acceptorNonce,
                       const Broker::NodeId &acceptor,
                       const QByteArray &certificateDigest);

// A message framed for the wire, for sending the same bytes over several links.
inline QByteArray peerFrame(const PeerMessage &message)
{
    return framePeerMessage(encodePeerMessage(message));
}

class PeerLink final : public QObject
{
    Q_OBJECT

public:
    enum class Role {
        Dialer,
        Acceptor,
    };

    // Dials `address` ("host:port").
    static PeerLink *dial(const QString &address, LinkCredentials credentials, QObject *parent);
    // Takes an accepted socket.
    static PeerLink *accept(QTcpSocket *socket, LinkCredentials credentials, QObject *parent);

    Role role() const { return m_role; }

    bool isEstablished() const { return m_established; }

    // The other side's record as it presented it; valid once established.
    const MemberRecord &peer() const { return m_peer; }

    // The node id of whoever dialed this link, for telling duplicate links apart.
    Broker::NodeId dialerId() const;

    const QString &address() const { return m_address; }

    void send(const PeerMessage &message) { sendFrame(peerFrame(message)); }

    // A message already framed with peerFrame().
    void sendFrame(const QByteArray &frame);
    // Closes at once; `closed` follows.
    void close(const QString &reason);

Q_SIGNALS:
    void established();
    void received(const DNotifier::Cluster::PeerMessage &message);
    // Emitted once, whether the handshake failed or an established link broke.
    void closed(const QString &reason);

private:
    PeerLink(Role role, QTcpSocket *socket, LinkCredentials credentials, QObject *parent);
    ~PeerLink() override;

    void onReadyRead();
    void handle(const PeerMessage &message);
    void onHello(const Hello &hello);
    void onChallenge(const Challenge &challenge);
    void onProof(const Proof &proof);
    void onWelcome(const Welcome &welcome);
    void finishHandshake(const MemberRecord &peer);
    void refuse(const QString &reason);

    void writeMessage(const PeerMessage &message) { writeFrame(peerFrame(message)); }

    void writeFrame(const QByteArray &frame);
    // Has the thread's event loop look at the link before any client connection on each turn
    // (EpollDispatcher::setUrgent), so that client load cannot hold probes past their timeout.
    void markUrgent();
    void clearUrgent();

    Role m_role;
    QTcpSocket *m_socket;
    LinkCredentials m_credentials;
    QString m_address;
    PeerFrameReader m_reader;
    QTimer m_handshakeTimer;
    Hello m_hello;
    QByteArray m_acceptorNonce;
    Broker::NodeId m_acceptorId;
    MemberRecord m_peer;
    // The accepting side's certificate digest over TLS (own or seen), empty without TLS.
    QByteArray m_certificateDigest;
    bool m_established = false;
    bool m_closed = false;
    // The descriptor marked urgent, or -1.
    int m_urgentFd = -1;
};

} // namespace DNotifier::Cluster
