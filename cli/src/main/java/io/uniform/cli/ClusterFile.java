package io.uniform.cli;

import io.uniform.node.cluster.MachineCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The file {@code cluster up} keeps of its cluster: every Up host member's HOST:PORT, oldest
 * first (the seed, while it lives), comma-separated, as {@code --cluster} takes them. It is
 * rewritten whole as members come and go, and atomically (a new file renamed over the old), so a
 * command reading it meanwhile reads the list before or after, never half of one.
 */
final class ClusterFile {
    private ClusterFile() {}

    /** Replaces {@code file}'s content with {@code addresses}, atomically. */
    static void write(Path file, List<String> addresses) throws IOException {
        Path directory = Files.createDirectories(file.toAbsolutePath().getParent());
        Path next = Files.createTempFile(directory, file.getFileName().toString(), ".next");
        try {
            Files.writeString(next, String.join(",", addresses) + "\n");
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(next); // gone already once moved; left behind only by a failed write
        }
    }

    /** The HOST:PORT of every Up host member of {@code members}, oldest first. */
    static List<String> upHosts(Collection<Member> members) {
        return members.stream().filter(member -> member.hasRole(MachineCluster.HOST_ROLE) && member.status().equals(MemberStatus.up()))
                .sorted((a, b) -> a.isOlderThan(b) ? -1 : b.isOlderThan(a) ? 1 : 0)
                .map(member -> new MemberAddress(member.address().host().get(), (Integer) member.address().port().get()).hostPort())
                .toList();
    }

    /**
     * Keeps {@code file} listing the Up host members, oldest first, as the membership's events tell
     * (the first replay it as it is). While the last members leave, the file keeps the last list
     * that named one: an empty file would tell a command reading it that no cluster was ever up,
     * where the leaving members still answer with a clear refusal.
     */
    static Behavior<ClusterEvent.MemberEvent> follower(Path file) {
        return Behaviors.setup(context -> {
            Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(context.getSelf(), ClusterEvent.MemberEvent.class));
            Map<UniqueAddress, Member> hosts = new HashMap<>();
            return Behaviors.receive(ClusterEvent.MemberEvent.class).onMessage(ClusterEvent.MemberEvent.class, event -> {
                Member member = event.member();
                if (!member.hasRole(MachineCluster.HOST_ROLE)) {
                    return Behaviors.same();
                }
                if (event instanceof ClusterEvent.MemberRemoved) {
                    hosts.remove(member.uniqueAddress());
                } else {
                    hosts.put(member.uniqueAddress(), member);
                }
                List<String> up = upHosts(hosts.values());
                if (up.isEmpty()) {
                    return Behaviors.same();
                }
                try {
                    write(file, up);
                } catch (IOException e) {
                    context.getLog().warn("the cluster file {} could not be rewritten: {}", file, e.toString());
                }
                return Behaviors.same();
            }).build();
        });
    }
}
