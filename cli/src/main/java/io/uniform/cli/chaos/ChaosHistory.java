package io.uniform.cli.chaos;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What happened in a chaos run, in order, each event with its time (milliseconds since the run
 * began): the checker's only input. Events come from several threads (the run's loop and the
 * actors that hear jobs and moves); each is printed as it is recorded, so the log shows every
 * action with its time.
 */
public final class ChaosHistory {
    /** Something that happened, {@code atMillis} after the run began. */
    public sealed interface Event {
        long atMillis();
    }

    /** The failure-free run of a job kind, before any chaos: every rank's stdout and the job's shell status. */
    public record ReferenceRun(long atMillis, String kind, List<String> stdout, int status, String error) implements Event {
        public ReferenceRun {
            stdout = List.copyOf(stdout);
        }
    }

    public record JobSubmitted(long atMillis, int sequence, String kind) implements Event {}

    /** The job started (again, if it is restarted) on {@code nids}, rank by rank. */
    public record JobStarted(long atMillis, int sequence, int jobId, List<Integer> nids) implements Event {
        public JobStarted {
            nids = List.copyOf(nids);
        }
    }

    /** How one rank ended: {@code exited} when it exited by itself (not killed, not lost, not refused). */
    public record RankEnd(int rank, int nid, int shellStatus, boolean exited, String report, int pctReloads) {}

    /** The job's end as yod reported it: {@code error} when it could not run at all; every rank's stdout. */
    public record JobEnded(long atMillis, int sequence, int jobId, String error, List<RankEnd> ranks, List<String> stdout) implements Event {
        public JobEnded {
            ranks = List.copyOf(ranks);
            stdout = List.copyOf(stdout);
        }

        /** True when every rank exited by itself: the job completed, whatever its status. */
        public boolean completed() {
            return error == null && !ranks.isEmpty() && ranks.stream().allMatch(RankEnd::exited);
        }
    }

    public record MemberStarted(long atMillis, String member) implements Event {}

    public record MemberKilled(long atMillis, String member) implements Event {}

    public record MemberAskedToLeave(long atMillis, String member) implements Event {}

    public record MemberUp(long atMillis, String member) implements Event {}

    public record MemberRemoved(long atMillis, String member) implements Event {}

    public record MemberExited(long atMillis, String member, int status) implements Event {}

    public record NodeCrashed(long atMillis, int nid, String node) implements Event {}

    public record PctFaultInjected(long atMillis, int nid, int jobId, int rank, String operation) implements Event {}

    public record MigrationAsked(long atMillis, int jobId, int rank, String partition) implements Event {}

    public record MigrationEnded(long atMillis, int jobId, int rank, boolean moved, String detail) implements Event {}

    /** The proxy cut {@code cutOff} from {@code others} (the other members and the run's client), both ways. */
    public record MembersPartitioned(long atMillis, List<String> cutOff, List<String> others) implements Event {
        public MembersPartitioned {
            cutOff = List.copyOf(cutOff);
            others = List.copyOf(others);
        }
    }

    /** The proxy let every member reach every other again. */
    public record PartitionHealed(long atMillis, List<String> cutOff) implements Event {
        public PartitionHealed {
            cutOff = List.copyOf(cutOff);
        }
    }

    /** The machine showed every one of {@code nodes} nodes of the member cut off down (as the mesh map draws them); 0: it hosted none. */
    public record NodesMarkedDown(long atMillis, String member, int nodes) implements Event {}

    /** An action of the schedule that cannot be taken yet: the run takes it as soon as it can. */
    public record ActionDeferred(long atMillis, String action, String reason) implements Event {}

    /** An action of the schedule that found nothing to act on. */
    public record ActionSkipped(long atMillis, String action, String reason) implements Event {}

    /** The chaos is over: no more actions or jobs; what runs is given time to end. */
    public record ChaosEnded(long atMillis) implements Event {}

    /** The nodes still allocated to a job (nid to job id) once every job had ended; {@code error} if the machine did not say. */
    public record NodesAtEnd(long atMillis, Map<Integer, Integer> allocated, String error) implements Event {
        public NodesAtEnd {
            allocated = allocated == null ? null : Map.copyOf(allocated);
        }
    }

    private final List<Event> events = new ArrayList<>();
    private final PrintStream log;

    /** A history that prints each event to {@code log} (null: silent). */
    public ChaosHistory(PrintStream log) {
        this.log = log;
    }

    /** A history of {@code events} as given (for the checker's tests). */
    public static ChaosHistory of(List<Event> events) {
        ChaosHistory history = new ChaosHistory(null);
        history.events.addAll(events);
        return history;
    }

    public synchronized void add(Event event) {
        events.add(event);
        if (log != null) {
            log.printf("[%8.3f s] %s%n", event.atMillis() / 1000.0, describe(event));
            log.flush();
        }
    }

    /** Prints a line that is not an event (the schedule, the report) to the log. */
    public synchronized void note(String line) {
        if (log != null) {
            log.println(line);
            log.flush();
        }
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** An event as the log shows it. */
    static String describe(Event event) {
        if (event instanceof ReferenceRun run) {
            return "reference: " + run.kind() + (run.error() != null ? " could not run: " + run.error()
                    : " status " + run.status() + ", rank 0 printed " + quoteLast(run.stdout()));
        } else if (event instanceof JobSubmitted job) {
            return "job #" + job.sequence() + " submitted: " + job.kind();
        } else if (event instanceof JobStarted job) {
            return "job #" + job.sequence() + " started as job " + job.jobId() + " on nodes " + job.nids();
        } else if (event instanceof JobEnded job) {
            return "job #" + job.sequence() + " (job " + job.jobId() + ") " + (job.error() != null ? "refused: " + job.error()
                    : (job.completed() ? "completed, " : "failed, ") + "ranks " + job.ranks());
        } else if (event instanceof MemberStarted member) {
            return "member " + member.member() + " started";
        } else if (event instanceof MemberKilled member) {
            return "member " + member.member() + " killed with SIGKILL";
        } else if (event instanceof MemberAskedToLeave member) {
            return "member " + member.member() + " asked to leave";
        } else if (event instanceof MemberUp member) {
            return "member " + member.member() + " is up";
        } else if (event instanceof MemberRemoved member) {
            return "member " + member.member() + " was removed from the cluster";
        } else if (event instanceof MemberExited member) {
            return "member " + member.member() + " exited with status " + member.status();
        } else if (event instanceof NodeCrashed node) {
            return "node " + node.nid() + " crashed (" + node.node() + ")";
        } else if (event instanceof PctFaultInjected fault) {
            return "PCT fault armed on node " + fault.nid() + " (job " + fault.jobId() + " rank " + fault.rank()
                    + ") at its next " + fault.operation();
        } else if (event instanceof MigrationAsked move) {
            return "migrate job " + move.jobId() + " rank " + move.rank() + " to the " + move.partition() + " partition";
        } else if (event instanceof MigrationEnded move) {
            return "job " + move.jobId() + " rank " + move.rank() + (move.moved() ? " moved: " : " not moved: ") + move.detail();
        } else if (event instanceof MembersPartitioned partition) {
            return "partition: " + partition.cutOff() + " cut off from " + partition.others();
        } else if (event instanceof PartitionHealed healed) {
            return "partition healed: " + healed.cutOff() + " may reach the others again";
        } else if (event instanceof NodesMarkedDown down) {
            return down.nodes() == 0 ? "the machine shows no node on member " + down.member()
                    : "the machine shows the " + down.nodes() + " nodes of member " + down.member() + " down";
        } else if (event instanceof ActionDeferred deferred) {
            return deferred.action() + " deferred: " + deferred.reason();
        } else if (event instanceof ActionSkipped skipped) {
            return skipped.action() + " skipped: " + skipped.reason();
        } else if (event instanceof ChaosEnded ended) {
            return "the chaos is over: no more faults or jobs; waiting for the running jobs";
        } else if (event instanceof NodesAtEnd nodes) {
            return nodes.error() != null ? "the machine's nodes at the end are unknown: " + nodes.error()
                    : "nodes allocated at the end: " + new TreeMap<>(nodes.allocated());
        }
        throw new IllegalArgumentException("an event of no known kind: " + event);
    }

    private static String quoteLast(List<String> stdout) {
        if (stdout.isEmpty()) {
            return "nothing";
        }
        List<String> lines = stdout.get(0).lines().toList();
        return lines.isEmpty() ? "nothing" : "\"" + lines.get(lines.size() - 1) + "\"";
    }
}
