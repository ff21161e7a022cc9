package io.uniform.cli.chaos;

/**
 * One thing a chaos run does to the cluster. Targets are chosen when the action is taken, from
 * what is there then: {@code pick} indexes (modulo their number) the candidates in a fixed order,
 * so the schedule is a function of the seed alone while the targets follow the run.
 */
public sealed interface ChaosAction {
    /** SIGKILL a member JVM other than the oldest. */
    record KillMember(int pick) implements ChaosAction {}

    /**
     * SIGKILL the oldest member JVM, which holds the machine singleton and every yod: the machine
     * starts again on the next oldest, and the jobs' keepers have their jobs recovered.
     */
    record KillOldest() implements ChaosAction {}

    /** Ask a member other than the oldest to leave gracefully: its ranks are drained to other members first. */
    record LeaveMember(int pick) implements ChaosAction {}

    /** Start a new member JVM that joins the cluster. */
    record StartMember() implements ChaosAction {}

    /** Crash a node (preferably one running a rank of a job): its actor stops and its host boots it afresh. */
    record CrashNode(int pick) implements ChaosAction {}

    /** Make the PCT of a compute node running a rank fail at its next call of {@code operation}. */
    record PctFault(int pick, String operation) implements ChaosAction {}

    /** Move a running rank to the nearest free node of the compute ({@code toService} false) or the service partition. */
    record Migrate(int pick, boolean toService) implements ChaosAction {}

    /**
     * Cut members from the others at the proxy, both ways, for {@code hold}: one member other than
     * the oldest, or ({@code split}) the smaller of two groups, which never holds the oldest. Taken
     * once at least three members are up and no member is on its way out (it waits until then).
     */
    record Partition(int pick, boolean split, java.time.Duration hold) implements ChaosAction {}

    /** Let the partitioned members reach the others again: due the partition's {@code hold} after it was made. */
    record Heal() implements ChaosAction {}
}
