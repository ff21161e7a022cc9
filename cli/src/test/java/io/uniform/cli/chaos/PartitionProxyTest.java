package io.uniform.cli.chaos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chaos proxy with plain sockets: two echo servers stand for members A and B, each behind a
 * proxy port, and clients bound to A's, B's and C's loopback source addresses stand for their
 * outbound connections. A cut closes A-B connections both ways and holds new ones without a byte
 * passing, while C still gets through; a heal closes the held ones and lets new ones through.
 */
class PartitionProxyTest {
    private static final String HOST = "127.0.0.1";
    private static final int WAIT_MILLIS = 10_000;
    private static final int SILENCE_MILLIS = 500;

    private final EchoServer echoA = new EchoServer();
    private final EchoServer echoB = new EchoServer();
    private PartitionProxy proxy;
    private int portA;
    private int portB;

    PartitionProxyTest() throws IOException {}

    @BeforeEach
    void forward() throws IOException {
        proxy = new PartitionProxy(HOST);
        portA = proxy.forward("A", 0, echoA.port(), source(1));
        portB = proxy.forward("B", 0, echoB.port(), source(2));
        proxy.forward("C", 0, echoA.port(), source(3));
    }

    @AfterEach
    void close() throws IOException {
        proxy.close();
        echoA.close();
        echoB.close();
    }

    @Test
    void forwardsBytesBothWaysFromEveryEndpoint() throws IOException {
        try (Socket aToB = connect(1, portB); Socket bToA = connect(2, portA); Socket unknownToA = connect(9, portA)) {
            assertEchoes(aToB, "from A");
            assertEchoes(bToA, "from B");
            assertEchoes(unknownToA, "from an address of no endpoint");
        }
    }

    @Test
    void aCutClosesTheLinksBetweenTheGroupsAndHoldsNewOnesUntilTheHeal() throws IOException {
        try (Socket aToB = connect(1, portB); Socket bToA = connect(2, portA); Socket cToB = connect(3, portB)) {
            assertEchoes(aToB, "before");
            assertEchoes(bToA, "before");
            assertEchoes(cToB, "before");

            proxy.cut(Set.of("A"), Set.of("B"));
            assertTrue(proxy.isCut("B", "A"));
            assertFalse(proxy.isCut("A", "C"));
            assertClosed(aToB);
            assertClosed(bToA);
            assertEchoes(cToB, "C is on neither side");

            try (Socket heldAToB = connect(1, portB); Socket heldBToA = connect(2, portA); Socket cToA = connect(3, portA)) {
                assertSilent(heldAToB, "held");
                assertSilent(heldBToA, "held");
                assertEchoes(cToA, "C reaches A");

                proxy.heal();
                assertFalse(proxy.isCut("A", "B"));
                assertClosed(heldAToB);
                assertClosed(heldBToA);
            }
            try (Socket againAToB = connect(1, portB)) {
                assertEchoes(againAToB, "after the heal");
            }
        }
    }

    @Test
    void anEndpointOrSourceGivenTwiceIsRefused() {
        assertThrows(IllegalStateException.class, () -> proxy.forward("A", 0, echoA.port(), source(7)));
        assertThrows(IllegalStateException.class, () -> proxy.forward("D", 0, echoA.port(), source(1)));
    }

    private static InetAddress source(int endpoint) throws IOException {
        return InetAddress.getByName("127.0.3." + endpoint);
    }

    /** A connection to the proxy's {@code port} from endpoint {@code endpoint}'s source address. */
    private static Socket connect(int endpoint, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(source(endpoint), 0));
        socket.connect(new InetSocketAddress(HOST, port), WAIT_MILLIS);
        socket.setSoTimeout(WAIT_MILLIS);
        return socket;
    }

    private static void assertEchoes(Socket socket, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(sent);
        byte[] echoed = socket.getInputStream().readNBytes(sent.length);
        assertArrayEquals(sent, echoed, () -> "echoed " + new String(echoed, StandardCharsets.UTF_8));
    }

    /** The proxy closed the connection: a read ends (or the connection was reset). */
    private static void assertClosed(Socket socket) {
        try {
            socket.getOutputStream().write(1);
            assertEquals(-1, socket.getInputStream().read(), "a byte came through a closed link");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open for " + WAIT_MILLIS + " ms", e);
        } catch (IOException reset) {
            // closed under the write or the read: as good as an end
        }
    }

    /** Nothing written comes back: the proxy holds the connection without forwarding it. */
    private static void assertSilent(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.setSoTimeout(SILENCE_MILLIS);
        assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read(), "a byte came through a cut");
        socket.setSoTimeout(WAIT_MILLIS);
    }

    /** A server that sends back what each connection sends it. */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(HOST));

        EchoServer() throws IOException {
            Thread acceptor = new Thread(this::serve, "echo-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread echo = new Thread(() -> echo(socket), "echo-connection");
                    echo.setDaemon(true);
                    echo.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private static void echo(Socket socket) {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ended) {
                // the proxy closed it
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
