package io.uniform.cli.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on this host that stands between cluster members so that chaos can partition them.
 * Each endpoint (a member, or the chaos run's client) advertises a port of this proxy as its
 * canonical Artery port and binds another; the proxy forwards the first to the second. Every
 * endpoint opens its own connections from a loopback address of its own (Artery's
 * {@code outbound-client-hostname}), so the proxy knows which endpoint a connection comes from.
 *
 * <p>{@link #cut} separates two groups of endpoints in both directions: their forwarded
 * connections are closed, and new ones between them are accepted and held without a byte passing
 * (a blackhole, as a broken network is: refusing them at once would have Artery retry as fast as
 * it may). {@link #heal} closes the held connections, so the endpoints connect again, through.
 * Connections from an address that is no endpoint's are never cut. Plain threads, two per
 * forwarded connection: a chaos run has a few dozen.
 */
public final class PartitionProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionProxy.class);
    private static final int BUFFER = 64 * 1024;

    /** One proxied connection: from {@code source} (null: no endpoint's address) to {@code target}. */
    private record Link(String source, String target, Socket inbound, Socket outbound) {
        void close() {
            closeQuietly(inbound);
            if (outbound != null) {
                closeQuietly(outbound);
            }
        }
    }

    private final InetAddress host;
    private final Map<InetAddress, String> endpointsBySource = new HashMap<>();
    private final Map<String, ServerSocket> listeners = new HashMap<>();
    private final Set<Set<String>> cutPairs = new HashSet<>();
    private final Set<Link> forwarded = new HashSet<>();
    // In the order they came: through a long cut Artery keeps opening new connections, and only the newest are kept.
    private final Set<Link> held = new LinkedHashSet<>();
    /** Held links kept per pair of endpoints: one for each of Artery's streams (control, ordinary, large). */
    private static final int HELD_PER_PAIR = 3;
    private boolean closed;

    /** A proxy listening and forwarding on {@code hostname} (a loopback address). */
    public PartitionProxy(String hostname) throws IOException {
        this.host = InetAddress.getByName(hostname);
    }

    /**
     * Forwards {@code listenPort} to {@code targetPort} for {@code endpoint}, whose own
     * connections come from {@code source}; returns the port listened on (a free one if
     * {@code listenPort} is 0).
     */
    public int forward(String endpoint, int listenPort, int targetPort, InetAddress source) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(host, listenPort));
        synchronized (this) {
            if (closed || listeners.containsKey(endpoint) || endpointsBySource.containsKey(source)) {
                listener.close();
                throw new IllegalStateException(closed ? "the proxy is closed"
                        : "the proxy already has endpoint " + endpoint + " or source " + source.getHostAddress());
            }
            listeners.put(endpoint, listener);
            endpointsBySource.put(source, endpoint);
        }
        Thread acceptor = new Thread(() -> accept(endpoint, listener, targetPort), "uniform-proxy-accept-" + endpoint);
        acceptor.setDaemon(true);
        acceptor.start();
        return listener.getLocalPort();
    }

    /** Separates {@code one} from {@code other} (endpoints) in both directions until {@link #heal}. */
    public void cut(Set<String> one, Set<String> other) {
        List<Link> broken = new ArrayList<>();
        synchronized (this) {
            for (String a : one) {
                for (String b : other) {
                    if (!a.equals(b)) {
                        cutPairs.add(Set.of(a, b));
                    }
                }
            }
            for (Link link : forwarded) {
                if (isCut(link.source(), link.target())) {
                    broken.add(link);
                }
            }
        }
        broken.forEach(Link::close); // the pumps see it and forget the link
    }

    /** Lets every pair of endpoints connect again: closes the connections held by the cuts. */
    public void heal() {
        List<Link> released;
        synchronized (this) {
            cutPairs.clear();
            released = new ArrayList<>(held);
            held.clear();
        }
        released.forEach(Link::close);
    }

    /** True while {@code a} and {@code b} are cut from each other. */
    public synchronized boolean isCut(String a, String b) {
        return a != null && b != null && cutPairs.contains(Set.of(a, b));
    }

    @Override
    public void close() {
        List<Link> links = new ArrayList<>();
        List<ServerSocket> sockets;
        synchronized (this) {
            closed = true;
            links.addAll(forwarded);
            links.addAll(held);
            sockets = new ArrayList<>(listeners.values());
        }
        sockets.forEach(PartitionProxy::closeQuietly);
        links.forEach(Link::close);
    }

    private void accept(String endpoint, ServerSocket listener, int targetPort) {
        while (!listener.isClosed()) {
            Socket inbound;
            try {
                inbound = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                connect(endpoint, inbound, targetPort);
            } catch (IOException e) {
                LOG.debug("a connection to {} could not be forwarded: {}", endpoint, e.toString());
                closeQuietly(inbound);
            }
        }
    }

    /** Holds {@code link}, closing the oldest held between its two endpoints beyond {@link #HELD_PER_PAIR}. */
    private void hold(Link link) {
        List<Link> samePair = held.stream().filter(other -> Objects.equals(other.source(), link.source()) && other.target().equals(link.target())).toList();
        for (int i = 0; i <= samePair.size() - HELD_PER_PAIR; i++) {
            samePair.get(i).close();
            held.remove(samePair.get(i));
        }
        held.add(link);
    }

    private void connect(String endpoint, Socket inbound, int targetPort) throws IOException {
        inbound.setTcpNoDelay(true);
        String source;
        synchronized (this) {
            source = endpointsBySource.get(inbound.getInetAddress());
            if (closed) {
                closeQuietly(inbound);
                return;
            }
            if (isCut(source, endpoint)) {
                hold(new Link(source, endpoint, inbound, null));
                return;
            }
        }
        Socket outbound = new Socket();
        outbound.setTcpNoDelay(true);
        outbound.connect(new InetSocketAddress(host, targetPort));
        Link link = new Link(source, endpoint, inbound, outbound);
        synchronized (this) {
            if (closed || isCut(source, endpoint)) { // cut while it connected
                link.close();
                return;
            }
            forwarded.add(link);
        }
        pump(link, inbound, outbound, "in");
        pump(link, outbound, inbound, "out");
    }

    /** Copies {@code from} to {@code to} on a thread of its own until either ends; then closes the link. */
    private void pump(Link link, Socket from, Socket to, String direction) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[BUFFER];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    out.write(buffer, 0, read);
                }
            } catch (IOException ended) {
                // a side closed, or the link was cut
            } finally {
                synchronized (this) {
                    forwarded.remove(link);
                }
                link.close();
            }
        }, "uniform-proxy-" + direction + "-" + link.target());
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing is all that is wanted
        }
    }
}
