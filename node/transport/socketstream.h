#pragma once

// A ByteStream on a Qt socket: what a TLS connection needs, since QSslSocket does the
// encryption. Qt buffers the output and writes it when the socket is writable; it also reads
// input into its own buffer whatever the reader wants, so pausing here only defers the
// reports.

#include "bytestream.h"

class QTcpSocket;

namespace DNotifier::Transport {

class SocketStream final : public ByteStream
{
    Q_OBJECT

public:
    // Takes the socket.
    explicit SocketStream(QTcpSocket *socket, QObject *parent = nullptr);

    void startReading(StreamReader *reader) override;
    QByteArray readAll() override;
    void setReadingPaused(bool paused) override;
    QHostAddress peerAddress() const override;
    void write(const QByteArray &bytes) override;
    qint64 unsent() const override;
    void closeGracefully() override;
    void abort() override;

private:
    void reportReadable();
    void reportDrained();
    void reportClosed();

    QTcpSocket *m_socket;
    bool m_paused = false;
    bool m_gone = false;
};

} // namespace DNotifier::Transport
