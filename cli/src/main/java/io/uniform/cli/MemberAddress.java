package io.uniform.cli;

/** A cluster member's HOST:PORT as people write it. */
record MemberAddress(String host, int port) {
    /** Parses {@code HOST:PORT}; an {@link IllegalArgumentException} says what is wrong. */
    static MemberAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': the port must be a number from 1 to 65535");
        }
        return new MemberAddress(text.substring(0, colon), port);
    }

    /**
     * Parses {@code HOST:PORT[,HOST:PORT...]}: members of one cluster, any of which a new member
     * or client can join through (the first that answers), so that one that died does not matter.
     */
    static java.util.List<MemberAddress> parseList(String text) {
        return java.util.Arrays.stream(text.split(",", -1)).map(String::trim).map(MemberAddress::parse).toList();
    }

    String hostPort() {
        return host + ":" + port;
    }

    /** The Pekko address of a member of the {@code uniform} system here. */
    String pekkoAddress() {
        return "pekko://" + ClusterMember.SYSTEM + "@" + hostPort();
    }
}
