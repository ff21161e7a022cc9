package io.uniform.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --cluster [HOST:PORT]} and {@code --cluster-file FILE}: which running cluster a command talks to, if any. */
final class ClusterOptions {
    /** Where {@code cluster up} writes its members' addresses when no {@code --cluster-file} is given. */
    static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".uniform", "cluster");
    }

    /** "" when {@code --cluster} is given without an address: the cluster file's then. */
    @Option(names = "--cluster", arity = "0..1", fallbackValue = "", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Work on a running cluster: join it at HOST:PORT (any member's address; several, comma-separated: the first "
                    + "that answers, so that a member that died does not matter) as a client; without HOST:PORT, at the addresses "
                    + "`uniform cluster up` wrote to the cluster file (every member's: any one still there will do).")
    String cluster;

    @Option(names = "--cluster-file", paramLabel = "FILE",
            description = "The file `uniform cluster up` writes its members' addresses to (default: ~/.uniform/cluster).")
    Path clusterFile;

    /** True when the command is to work on a running cluster. */
    boolean given() {
        return cluster != null;
    }

    Path file() {
        return clusterFile != null ? clusterFile : defaultFile();
    }

    /** The HOST:PORT to join at (or several, comma-separated), from the option or the cluster file; a usage error if neither names one. */
    String seed() {
        String address = cluster;
        if (address == null || address.isEmpty()) {
            Path file = file();
            try {
                address = Files.readString(file).trim();
            } catch (IOException e) {
                throw new IllegalArgumentException("no cluster address: " + file + " cannot be read (" + e.getMessage()
                        + "); start a cluster with `uniform cluster up`, or give --cluster HOST:PORT");
            }
        }
        return normalized(address);
    }

    /** {@code HOST:PORT[,HOST:PORT...]} checked and written back; an {@link IllegalArgumentException} says what is wrong. */
    static String normalized(String addresses) {
        return MemberAddress.parseList(addresses).stream().map(MemberAddress::hostPort).collect(java.util.stream.Collectors.joining(","));
    }
}
