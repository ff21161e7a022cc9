package io.uniform.cli.chaos;

import io.uniform.cli.ClusterMember;
import io.uniform.cli.MachineConnection;
import io.uniform.cli.MemberProcesses;
import io.uniform.cli.chaos.ChaosHistory.ActionSkipped;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.NodeState;
import io.uniform.config.Partition;
import io.uniform.node.Machine;
import io.uniform.node.NodeActor;

import io.uniform.node.cluster.MachineCluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;

/**
 * One chaos run: starts a cluster of member JVMs on this host, records each job kind's output
 * without faults (on a machine in this JVM, beside the chaos: it does not wait for them),
 * then runs jobs continuously while it takes the schedule's actions, lets the last jobs end, asks
 * every member to leave, and hands the history to the {@link HistoryChecker}. One thread drives
 * it (a loop that takes due actions, keeps jobs running and watches the membership); the jobs'
 * terminals, the moves' answers and the references' thread record into the history from other
 * threads. Every member and the run's client are reached through a {@link PartitionProxy}, so
 * that the run can partition them.
 */
public final class ChaosRun {
    /** What a run is asked to do; {@code preset} or {@code config} (or neither: the default machine) describe the machine. */
    public record Settings(long seed, Duration duration, int members, String preset, Path config, String hostname, Path logs,
                           int jobsInFlight, Duration settle) {}

    private static final Duration FORMING = Duration.ofSeconds(120);
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration MOVE_TIMEOUT = Duration.ofMinutes(2);
    // Moves of running jobs are waited for with their jobs: this bounds the wait for those of jobs that ended.
    private static final Duration MOVES_GRACE = Duration.ofSeconds(15);
    private static final Duration REFERENCE_TIMEOUT = Duration.ofMinutes(5);
    // How long a reference the machine refuses (no room yet) is launched again.
    private static final Duration REFERENCE_REFUSALS = Duration.ofSeconds(30);
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration REFUSED_BACKOFF = Duration.ofSeconds(2);
    // A partitioned member that exits within this after the heal was downed by the partition: it is replaced.
    private static final Duration REPLACEMENT_WINDOW = Duration.ofSeconds(30);
    private static final String CLIENT = "client";
    // Each endpoint's own loopback address for the connections it opens: the proxy tells them apart by it.
    private static final String CLIENT_SOURCE = "127.0.1.1";
    private static final String MEMBER_SOURCES = "127.0.1.";
    private static final int FIRST_MEMBER_SOURCE = 2;
    private static final int LAST_MEMBER_SOURCE = 254;

    private final Settings settings;
    private final ChaosSchedule schedule;
    private final ChaosHistory history;
    private final List<ChaosJobs.Kind> kinds = ChaosJobs.KINDS;
    private final long startNanos = System.nanoTime();
    // The member JVMs by HOST:PORT in the order they started: the first is the first seed, the oldest.
    private final Map<String, Process> members = new LinkedHashMap<>();
    // Members killed or asked to leave: no longer candidates for either.
    private final Set<String> leaving = new HashSet<>();
    private final Set<String> seenUp = new HashSet<>();
    private Set<String> present = Set.of();
    private final Map<Integer, ChaosJobs.Running> running = new ConcurrentHashMap<>();
    private final PartitionProxy proxy;
    private int nextSource = FIRST_MEMBER_SOURCE;
    // The members cut off now (empty: no partition), and when their heal is due (milliseconds of the run).
    private List<String> cutOff = List.of();
    private long healDue;
    // Partitioned members to replace if they exit, until when (milliseconds of the run; open while they are cut off).
    private final Map<String, Long> replaceIfExits = new LinkedHashMap<>();
    // Actions that could not be taken when due, in order: tried again every tick.
    private final List<ChaosAction> deferred = new ArrayList<>();
    private long chaosStart;
    // Members cut off whose nodes the machine was seen to show down; whether a question about it is on its way.
    private final Set<String> nodesSeenDown = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean statusAsked = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicInteger pendingMoves = new AtomicInteger();
    // The member new ones join: the first, until KillOldest kills the one it is.
    private String seed;
    private MachineConnection client;
    private ChaosJobs jobs;
    private int nextSequence;
    // When the next job may be launched (milliseconds of the run): later after a refusal.
    private volatile long nextLaunch;

    public ChaosRun(Settings settings, ChaosHistory history) throws IOException {
        this.settings = settings;
        this.proxy = new PartitionProxy(settings.hostname());
        this.schedule = ChaosSchedule.plan(settings.seed(), settings.duration());
        this.history = history;
    }

    /** Runs the chaos and checks its history; throws only if the cluster could not be formed or the run was interrupted. */
    public HistoryChecker.Verdict run() throws IOException, InterruptedException, ClusterMember.Unavailable {
        history.note("chaos: seed " + settings.seed() + ", " + settings.duration().toSeconds() + " s, " + settings.members()
                + " members; the schedule (times from the start of the chaos):");
        schedule.actions().forEach(timed -> history.note(String.format("  +%8.3f s  %s", timed.at().toMillis() / 1000.0, timed.action())));
        history.note("chaos: the oldest member (the machine's, every yod's) is killed only by KillOldest and never partitioned off; "
                + "the run's client stays on the oldest member's side of a partition");
        Thread stopMembers = new Thread(() -> members.values().forEach(Process::destroyForcibly), "uniform-chaos-stop");
        Runtime.getRuntime().addShutdownHook(stopMembers);
        // The references run beside the chaos (none of its faults reach their machine), not beside the forming, where they would
        // take CPU from the starting member JVMs (a starved seed failed to start its machine: MemberProcesses.form).
        Thread references = new Thread(this::recordReferencesInThisJvm, "uniform-chaos-references");
        try {
            formCluster();
            references.start();
            chaos();
            settle();
            leaveAll();
            references.join();
        } finally {
            references.interrupt(); // when the run failed: the references no longer matter
            members.values().forEach(Process::destroyForcibly);
            if (client != null) {
                client.close();
            }
            proxy.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stopMembers);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
        return HistoryChecker.check(history);
    }

    private long now() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /**
     * Runs each job kind once on a machine of the same description booted in this JVM (in the
     * references' thread: on a loaded host its boot took seconds the chaos would have waited) and
     * records their outputs, which depend on the programs and their arguments alone, not on where
     * the ranks run. Run on the members after forming, on JVMs still cold (an all-to-all took 28 s
     * there and 1 s later in the run), they held the suite's two-minute run 34 s. A machine that
     * cannot boot fails every kind's reference, so that the checker says so.
     */
    private void recordReferencesInThisJvm() {
        Set<String> recorded = new HashSet<>();
        // Its messages never leave this JVM: checking that they would (as the tests' configuration asks) only takes CPU from the chaos.
        try (MachineConnection here = MachineConnection.local(description(), ConfigFactory.parseString("pekko.actor.serialize-messages = off"))) {
            recordReferences(new ChaosJobs(here, history, this::now), recorded);
        } catch (InterruptedException runFailed) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            kinds.stream().filter(kind -> !recorded.contains(kind.label())).forEach(kind -> history.add(
                    new ChaosHistory.ReferenceRun(now(), kind.label(), List.of(), -1, "the machine in this JVM failed: " + e)));
        }
    }

    private MachineDescription description() {
        return settings.config() != null ? MachineDescriptions.fromFile(settings.config())
                : settings.preset() != null ? MachineDescriptions.preset(settings.preset()) : MachineDescriptions.defaultMachine();
    }

    private void formCluster() throws IOException, InterruptedException, ClusterMember.Unavailable {
        int clientPort = MemberProcesses.freePort(settings.hostname());
        int clientBindPort = MemberProcesses.freePort(settings.hostname());
        proxy.forward(CLIENT, clientPort, clientBindPort, InetAddress.getByName(CLIENT_SOURCE));
        Config clientSettings = ConfigFactory.parseMap(Map.of("pekko.remote.artery.canonical.port", clientPort,
                "pekko.remote.artery.bind.port", clientBindPort,
                "pekko.remote.artery.advanced.tcp.outbound-client-hostname", CLIENT_SOURCE));
        MemberProcesses.Formed formed = MemberProcesses.form(settings.members(), this::startMember, members.values(), settings.logs(), FORMING,
                clientSettings);
        seed = formed.seed();
        client = formed.client();
        jobs = new ChaosJobs(client, history, this::now);
        observeMembers();
        history.note(String.format("[%8.3f s] chaos: the cluster is formed", now() / 1000.0));
    }

    /**
     * Starts a member JVM behind the proxy (the seed if {@code joining} is null, else one joining
     * it; on the side of the oldest if a partition is in place); returns its HOST:PORT. The seed
     * is waited for until it listens: a client that joins before it does backs off.
     */
    private String startMember(String joining) throws IOException, InterruptedException, ClusterMember.Unavailable {
        if (nextSource > LAST_MEMBER_SOURCE) {
            throw new IllegalStateException("the run has started " + (LAST_MEMBER_SOURCE - FIRST_MEMBER_SOURCE + 1)
                    + " members: the proxy has no loopback address left for another");
        }
        String source = MEMBER_SOURCES + nextSource++;
        int port = MemberProcesses.freePort(settings.hostname());
        int bindPort = MemberProcesses.freePort(settings.hostname());
        String address = settings.hostname() + ":" + port;
        proxy.forward(address, port, bindPort, InetAddress.getByName(source));
        if (!cutOff.isEmpty()) {
            proxy.cut(Set.copyOf(cutOff), Set.of(address));
        }
        Path log = settings.logs().resolve("member-" + members.size() + "-" + port + ".log");
        Process process = MemberProcesses.start(settings.hostname(), port, 0, joining == null ? null : joinList(joining), settings.preset(),
                settings.config(), log, FORMING, new MemberProcesses.BehindProxy(bindPort, source));
        members.put(address, process);
        history.add(new ChaosHistory.MemberStarted(now(), address));
        process.onExit().thenAccept(ended -> history.add(new ChaosHistory.MemberExited(now(), address, ended.exitValue())));
        if (joining == null) {
            MemberProcesses.awaitListening(settings.hostname() + ":" + bindPort, FORMING);
        }
        return address;
    }

    /**
     * {@code seed} and then every other member up, comma-separated: a new member joins through the
     * first that answers. With the seed alone, a member started just before a kill of the oldest
     * (the seed) joined no one and gave up (two in the first ten-minute run with partitions, where
     * a deferred kill of the oldest came right after a start).
     */
    private String joinList(String seed) {
        List<String> list = new ArrayList<>(List.of(seed));
        membersUp().stream().filter(member -> !member.equals(seed)).forEach(list::add);
        return String.join(",", list);
    }

    /**
     * Runs every job kind once on {@code references}' machine, without faults: the outputs
     * completed jobs must match, each kind's label added to {@code recorded}. As many run at once
     * as the chaos keeps running: one after another, they kept the suite's two-minute run waiting.
     */
    private void recordReferences(ChaosJobs references, Set<String> recorded) throws InterruptedException {
        Semaphore slots = new Semaphore(settings.jobsInFlight());
        Map<ChaosJobs.Kind, CompletableFuture<ChaosHistory.JobEnded>> launched = new LinkedHashMap<>();
        for (ChaosJobs.Kind kind : kinds) {
            // A job that never ends keeps its slot: the next is launched anyway once the time is up, and may be refused.
            boolean free = slots.tryAcquire(REFERENCE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            CompletableFuture<ChaosHistory.JobEnded> job = referenceRun(references, kind, now() + REFERENCE_REFUSALS.toMillis());
            if (free) {
                job.whenComplete((ended, failure) -> slots.release());
            }
            launched.put(kind, job);
        }
        for (Map.Entry<ChaosJobs.Kind, CompletableFuture<ChaosHistory.JobEnded>> job : launched.entrySet()) {
            String label = job.getKey().label();
            ChaosHistory.JobEnded ended;
            recorded.add(label);
            try {
                ended = job.getValue().get(REFERENCE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                history.add(new ChaosHistory.ReferenceRun(now(), label, List.of(), -1, "no end within " + REFERENCE_TIMEOUT.toSeconds() + " s"));
                continue;
            } catch (java.util.concurrent.ExecutionException e) {
                history.add(new ChaosHistory.ReferenceRun(now(), label, List.of(), -1, "could not be launched: " + e.getCause()));
                continue;
            }
            int status = ended.ranks().stream().mapToInt(ChaosHistory.RankEnd::shellStatus).filter(s -> s != 0).findFirst().orElse(0);
            history.add(new ChaosHistory.ReferenceRun(now(), label, ended.stdout(), status, ended.error()));
        }
    }

    /**
     * One run of {@code kind}, launched again after {@link #REFUSED_BACKOFF} while the machine
     * refuses it (it ends without having started), until {@code refusalsUntil} (milliseconds of
     * the run); a job that started and failed is the reference's failure. Launched the moment the
     * job before it ended, a job can find that job's nodes not yet free: on a machine in this JVM,
     * dsort was refused a service node the allreduce before it had just ended on.
     */
    private CompletableFuture<ChaosHistory.JobEnded> referenceRun(ChaosJobs references, ChaosJobs.Kind kind, long refusalsUntil) {
        ChaosJobs.Running run = references.launch(kind, -1);
        return run.ended().thenCompose(ended -> ended.error() == null || run.started() || now() >= refusalsUntil
                ? CompletableFuture.completedFuture(ended)
                : CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(REFUSED_BACKOFF.toMillis(), TimeUnit.MILLISECONDS))
                        .thenCompose(backedOff -> referenceRun(references, kind, refusalsUntil)));
    }

    private void chaos() throws InterruptedException, IOException, ClusterMember.Unavailable {
        chaosStart = now();
        history.note(String.format("chaos: begins at %.3f s", chaosStart / 1000.0));
        List<ChaosSchedule.Timed> due = schedule.actions();
        int next = 0;
        long end = chaosStart + settings.duration().toMillis();
        while (now() < end) {
            observeMembers();
            replacePartitionedMembers();
            watchNodesCutOff();
            for (ChaosAction action : List.copyOf(deferred)) {
                if (act(action)) {
                    deferred.remove(action);
                }
            }
            while (next < due.size() && now() >= chaosStart + due.get(next).at().toMillis()) {
                ChaosAction action = due.get(next++).action();
                if (!act(action)) {
                    deferred.add(action);
                }
            }
            if (now() >= nextLaunch && running.size() < settings.jobsInFlight()) {
                launch();
            }
            Thread.sleep(TICK.toMillis()); // the loop's pace: actions are due at times, not on events
        }
        deferred.stream().filter(action -> !(action instanceof ChaosAction.Heal))
                .forEach(action -> history.add(new ActionSkipped(now(), action.toString(), "the chaos ended before it could be taken")));
        deferred.clear();
        if (!cutOff.isEmpty()) {
            heal(); // its heal was due in the chaos's last tick, or deferred: the end comes with none in place
        }
        history.add(new ChaosHistory.ChaosEnded(now()));
    }

    /** Launches the next job; a refused one (no room on the machine now) holds the next launch back a while. */
    private void launch() {
        int sequence = nextSequence++;
        ChaosJobs.Running job = jobs.launch(kinds.get(schedule.jobKind(sequence, kinds.size())), sequence);
        running.put(sequence, job);
        job.ended().thenAccept(ended -> {
            running.remove(sequence);
            if (ended.error() != null) {
                nextLaunch = now() + REFUSED_BACKOFF.toMillis();
            }
        });
    }

    /**
     * Lets the running jobs and moves end and the members started late come up (asked to leave
     * while still joining, one would never be Up), then records which nodes are still allocated.
     * Moves are waited for {@link #MOVES_GRACE} at most: a move of a rank whose job lost a node
     * with its member got no answer at all, and the suite's run waited a minute for its ask to
     * time out after every job had ended.
     */
    private void settle() throws InterruptedException, IOException, ClusterMember.Unavailable {
        long deadline = now() + settings.settle().toMillis();
        long movesDeadline = now() + MOVES_GRACE.toMillis();
        while ((!running.isEmpty() || (pendingMoves.get() > 0 && now() < movesDeadline) || anyMemberJoining() || !replaceIfExits.isEmpty())
                && now() < deadline) {
            observeMembers();
            replacePartitionedMembers();
            Thread.sleep(TICK.toMillis());
        }
        observeMembers();
        try {
            Machine.Status status = status();
            Map<Integer, Integer> allocated = new TreeMap<>();
            status.states().forEach((nid, state) -> {
                if (state.kind() == NodeState.Kind.RUNNING) {
                    allocated.put(nid, (int) state.job());
                }
            });
            history.add(new ChaosHistory.NodesAtEnd(now(), allocated, null));
        } catch (RuntimeException e) {
            history.add(new ChaosHistory.NodesAtEnd(now(), null, "the machine did not answer: " + e));
        }
    }

    private boolean anyMemberJoining() {
        return members.entrySet().stream().anyMatch(member -> member.getValue().isAlive()
                && !leaving.contains(member.getKey()) && !seenUp.contains(member.getKey()));
    }

    /** Asks every member to leave, the oldest last, and waits for each JVM to exit. */
    private void leaveAll() throws InterruptedException {
        for (Member member : MemberProcesses.askHostsToLeave(Cluster.get(client.system()))) {
            history.add(new ChaosHistory.MemberAskedToLeave(now(), hostPort(member)));
        }
        long deadline = System.nanoTime() + LEAVE_TIMEOUT.toNanos();
        for (Process process : members.values()) {
            process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        observeMembers();
    }

    /** Records members that came up or were removed since the last look. */
    private void observeMembers() {
        Set<String> now = new HashSet<>();
        for (Member member : Cluster.get(client.system()).state().getMembers()) {
            if (!member.hasRole(MachineCluster.HOST_ROLE)) {
                continue;
            }
            String address = hostPort(member);
            now.add(address);
            if (!member.status().equals(MemberStatus.joining()) && !member.status().equals(MemberStatus.weaklyUp()) && seenUp.add(address)) {
                history.add(new ChaosHistory.MemberUp(now(), address));
            }
        }
        for (String address : present) {
            if (!now.contains(address)) {
                history.add(new ChaosHistory.MemberRemoved(now(), address));
            }
        }
        present = now;
    }

    private static String hostPort(Member member) {
        return member.address().host().getOrElse(() -> "?") + ":" + member.address().port().getOrElse(() -> 0);
    }

    /** Takes {@code action}, or logs it skipped; false (and logged once) if it must wait: a removal while members are partitioned, a partition not yet possible. */
    private boolean act(ChaosAction action) throws IOException, InterruptedException, ClusterMember.Unavailable {
        boolean removal = action instanceof ChaosAction.KillMember || action instanceof ChaosAction.KillOldest
                || action instanceof ChaosAction.LeaveMember;
        if (removal && !cutOff.isEmpty()) {
            return defer(action, "members are partitioned: the resolver's decision comes first");
        }
        if (action instanceof ChaosAction.KillOldest && membersUp().size() == 2) {
            // Seen in the second ten-minute run with partitions: the one other host downed itself, the client and the joining members.
            return defer(action, "with the oldest and one other member up, keep-oldest keeps neither side: it waits for a third");
        }
        if (action instanceof ChaosAction.Partition partition) {
            return partition(partition);
        }
        if (action instanceof ChaosAction.Heal) {
            if (cutOff.isEmpty() && deferred.stream().anyMatch(ChaosAction.Partition.class::isInstance)) {
                return defer(action, "its partition is not made yet");
            }
            if (cutOff.isEmpty()) {
                history.add(new ActionSkipped(now(), action.toString(), "no partition is in place"));
            } else if (now() < healDue) {
                return defer(action, "its partition was made late: it heals its hold after");
            } else {
                heal();
            }
            return true;
        }
        if (action instanceof ChaosAction.KillMember kill) {
            String member = memberToRemove(action, kill.pick());
            if (member != null) {
                leaving.add(member);
                members.get(member).destroyForcibly(); // SIGKILL
                history.add(new ChaosHistory.MemberKilled(now(), member));
            }
        } else if (action instanceof ChaosAction.KillOldest) {
            killOldest(action);
        } else if (action instanceof ChaosAction.LeaveMember leave) {
            String member = memberToRemove(action, leave.pick());
            if (member != null) {
                leaving.add(member);
                Cluster cluster = Cluster.get(client.system());
                for (Member candidate : cluster.state().getMembers()) {
                    if (hostPort(candidate).equals(member)) {
                        cluster.manager().tell(Leave.create(candidate.address()));
                    }
                }
                history.add(new ChaosHistory.MemberAskedToLeave(now(), member));
            }
        } else if (action instanceof ChaosAction.StartMember) {
            startMember(seed);
        } else if (action instanceof ChaosAction.CrashNode crash) {
            crashNode(action, crash.pick());
        } else if (action instanceof ChaosAction.PctFault fault) {
            injectPctFault(action, fault);
        } else if (action instanceof ChaosAction.Migrate migrate) {
            migrate(action, migrate);
        }
        return true;
    }

    /** Logs {@code action} as deferred for {@code reason} the first time; false. */
    private boolean defer(ChaosAction action, String reason) {
        if (!deferred.contains(action)) {
            history.add(new ChaosHistory.ActionDeferred(now(), action.toString(), reason));
        }
        return false;
    }

    /**
     * Cuts the partition's members off from every other member JVM (joining and leaving ones
     * too: one connected to both sides would make the resolver take it for a broken network and
     * down both sides) and from the client. It waits for at least three members up, not leaving,
     * so that the oldest's side keeps another host (alone, the oldest would down itself, and the
     * client with it); it is skipped if it could no longer heal before the chaos ends (a deferred
     * one may heal later than the schedule's last 20 s).
     */
    private boolean partition(ChaosAction.Partition partition) {
        if (now() + partition.hold().toMillis() > chaosStart + settings.duration().toMillis()) {
            history.add(new ActionSkipped(now(), partition.toString(), "it could not heal before the chaos ends"));
            return true;
        }
        List<String> up = membersUp();
        String oldest = oldestHost();
        if (!cutOff.isEmpty() || up.size() < 3 || oldest == null || !up.contains(oldest)) {
            return defer(partition, !cutOff.isEmpty() ? "a partition is in place" : "it needs three members up (not leaving)");
        }
        up.remove(oldest);
        int size = partition.split() ? (up.size() + 1) / 2 : 1;
        List<String> side = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            side.add(up.get(Math.floorMod(partition.pick() + i, up.size())));
        }
        Set<String> others = new java.util.TreeSet<>();
        members.forEach((member, process) -> {
            if (process.isAlive() && !side.contains(member)) {
                others.add(member);
            }
        });
        proxy.cut(Set.copyOf(side), Set.copyOf(others));
        proxy.cut(Set.copyOf(side), Set.of(CLIENT));
        cutOff = List.copyOf(side);
        healDue = now() + partition.hold().toMillis();
        leaving.addAll(side); // no kill or leave picks them while their fate is open
        side.forEach(member -> replaceIfExits.put(member, Long.MAX_VALUE));
        others.add(CLIENT);
        history.add(new ChaosHistory.MembersPartitioned(now(), side, List.copyOf(others)));
        return true;
    }

    /**
     * While members are cut off, asks the machine (one question at a time) whether it shows all
     * nodes of each down, and records it the first time it does (what the mesh map draws), or that
     * it hosts none.
     */
    private void watchNodesCutOff() {
        List<String> watched = cutOff.stream().filter(member -> !nodesSeenDown.contains(member)).toList();
        if (watched.isEmpty() || !statusAsked.compareAndSet(false, true)) {
            return;
        }
        AskPattern.<Machine.Command, Machine.Status>ask(client.machine(), Machine.GetStatus::new, ASK_TIMEOUT, client.system().scheduler())
                .whenComplete((status, failure) -> {
                    if (status != null) {
                        for (String member : watched) {
                            List<NodeState> states = status.members().entrySet().stream().filter(node -> node.getValue().equals(member))
                                    .map(node -> status.states().get(node.getKey())).toList();
                            // A member that came up just before it was cut off may not have been handed nodes yet.
                            if (states.stream().allMatch(state -> state.kind() == NodeState.Kind.DOWN) && nodesSeenDown.add(member)) {
                                history.add(new ChaosHistory.NodesMarkedDown(now(), member, states.size()));
                            }
                        }
                    }
                    statusAsked.set(false);
                });
    }

    /** Heals the partition in place: the members cut off that are still members go on as members. */
    private void heal() {
        proxy.heal();
        history.add(new ChaosHistory.PartitionHealed(now(), cutOff));
        long until = now() + REPLACEMENT_WINDOW.toMillis();
        cutOff.forEach(member -> replaceIfExits.computeIfPresent(member, (replaced, open) -> until)); // not one replaced already
        cutOff = List.of();
    }

    /**
     * Starts a new member for each partitioned one that exited (the resolver downed it) while it
     * was cut off or shortly after the heal; one still running by then stays a member.
     */
    private void replacePartitionedMembers() throws IOException, InterruptedException, ClusterMember.Unavailable {
        for (Map.Entry<String, Long> watched : List.copyOf(replaceIfExits.entrySet())) {
            String member = watched.getKey();
            if (!members.get(member).isAlive()) {
                replaceIfExits.remove(member);
                if (now() < chaosStart + settings.duration().toMillis()) {
                    history.note(String.format("[%8.3f s] member %s was downed by the partition: a new member replaces it", now() / 1000.0,
                            member));
                    startMember(seed);
                }
            } else if (now() > watched.getValue()) {
                replaceIfExits.remove(member);
                leaving.remove(member);
            }
        }
    }

    /** The member a kill or leave picks among those up, other than the oldest; null (and logged) if there is none. */
    private String memberToRemove(ChaosAction action, int pick) {
        List<String> candidates = membersUp();
        candidates.remove(oldestHost());
        return pick(action, candidates, pick, "no member but the oldest is up");
    }

    /** The members up and not on their way out, oldest first (in the order they started). */
    private List<String> membersUp() {
        List<String> up = new ArrayList<>();
        for (Map.Entry<String, Process> member : members.entrySet()) {
            if (!leaving.contains(member.getKey()) && member.getValue().isAlive() && present.contains(member.getKey())
                    && seenUp.contains(member.getKey())) {
                up.add(member.getKey());
            }
        }
        return up;
    }

    /** The oldest host member Up (the machine's), as HOST:PORT; null if none is. */
    private String oldestHost() {
        Member oldest = null;
        for (Member member : Cluster.get(client.system()).state().getMembers()) {
            if (member.hasRole(MachineCluster.HOST_ROLE) && member.status().equals(MemberStatus.up())
                    && (oldest == null || member.isOlderThan(oldest))) {
                oldest = member;
            }
        }
        return oldest == null ? null : hostPort(oldest);
    }

    /** Kills the oldest member, if another is up to take the machine over; new members join another from then on. */
    private void killOldest(ChaosAction action) {
        List<String> up = membersUp();
        String oldest = oldestHost();
        if (oldest == null || !up.contains(oldest) || up.size() < 2) {
            history.add(new ActionSkipped(now(), action.toString(), oldest != null && up.contains(oldest)
                    ? "no other member is up to take the machine over" : "the oldest member is not one of this run's up"));
            return;
        }
        leaving.add(oldest);
        members.get(oldest).destroyForcibly(); // SIGKILL
        history.add(new ChaosHistory.MemberKilled(now(), oldest));
        up.remove(oldest);
        seed = up.get(0);
    }

    /** The candidate {@code pick} chooses (modulo their number); null, with the action logged as skipped for {@code why}, if there is none. */
    private <T> T pick(ChaosAction action, List<T> candidates, int pick, String why) {
        if (candidates.isEmpty()) {
            history.add(new ActionSkipped(now(), action.toString(), why));
            return null;
        }
        return candidates.get(Math.floorMod(pick, candidates.size()));
    }

    /** The machine's status, or null (the action logged as skipped) if it does not answer. */
    private Machine.Status statusFor(ChaosAction action) {
        try {
            return status();
        } catch (RuntimeException e) {
            history.add(new ActionSkipped(now(), action.toString(), "the machine did not answer: " + e));
            return null;
        }
    }

    private void crashNode(ChaosAction action, int pick) {
        Machine.Status status = statusFor(action);
        if (status == null) {
            return;
        }
        List<Integer> busy = new ArrayList<>();
        List<Integer> hosted = new ArrayList<>();
        new TreeMap<>(status.states()).forEach((nid, state) -> {
            if (state.kind() == NodeState.Kind.RUNNING) {
                busy.add(nid);
            } else if (state.kind() == NodeState.Kind.IDLE && !Machine.Status.NONE.equals(status.members().get(nid))) {
                hosted.add(nid);
            }
        });
        Integer nid = pick(action, busy.isEmpty() ? hosted : busy, pick, "no node is hosted");
        if (nid == null) {
            return;
        }
        client.machine().tell(new Machine.CrashNode(nid));
        history.add(new ChaosHistory.NodeCrashed(now(), nid, status.states().get(nid) + " on member " + status.members().get(nid)));
    }

    private void injectPctFault(ChaosAction action, ChaosAction.PctFault fault) {
        Machine.Status status = statusFor(action);
        if (status == null) {
            return;
        }
        List<ChaosJobs.RankAt> candidates = runningRanks().stream()
                .filter(rank -> status.partitions().get(rank.nid()) == Partition.COMPUTE).toList();
        ChaosJobs.RankAt target = pick(action, candidates, fault.pick(), "no rank runs on a compute node");
        if (target == null) {
            return;
        }
        client.machine().tell(new Machine.InjectPctFault(target.nid(), fault.operation(), 1));
        history.add(new ChaosHistory.PctFaultInjected(now(), target.nid(), target.jobId(), target.rank(), fault.operation()));
    }

    private void migrate(ChaosAction action, ChaosAction.Migrate migrate) {
        ChaosJobs.RankAt target = pick(action, runningRanks(), migrate.pick(), "no job is running");
        if (target == null) {
            return;
        }
        Partition partition = migrate.toService() ? Partition.SERVICE : Partition.COMPUTE;
        history.add(new ChaosHistory.MigrationAsked(now(), target.jobId(), target.rank(), partition.label()));
        pendingMoves.incrementAndGet();
        AskPattern.<Machine.Command, NodeActor.MigrationReport>ask(client.machine(),
                        replyTo -> new Machine.Migrate(target.jobId(), target.rank(), Machine.ANY_NODE, partition, replyTo),
                        MOVE_TIMEOUT, client.system().scheduler())
                .whenComplete((report, failure) -> {
                    history.add(new ChaosHistory.MigrationEnded(now(), target.jobId(), target.rank(), report != null && report.moved(),
                            report == null ? "no answer within " + MOVE_TIMEOUT.toSeconds() + " s: " + failure
                                    : report.moved() ? "from node " + report.from() + " to node " + report.to() : report.reason()));
                    pendingMoves.decrementAndGet();
                });
    }

    /** Every rank of the running jobs, by job and rank: the candidates of faults and moves. */
    private List<ChaosJobs.RankAt> runningRanks() {
        List<ChaosJobs.RankAt> ranks = new ArrayList<>();
        new TreeMap<>(running).values().forEach(job -> ranks.addAll(job.ranks()));
        return ranks;
    }

    private Machine.Status status() {
        return AskPattern.<Machine.Command, Machine.Status>ask(client.machine(), Machine.GetStatus::new, ASK_TIMEOUT,
                client.system().scheduler()).toCompletableFuture().join();
    }
}
