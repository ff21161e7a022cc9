package io.uniform.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.metrics.MemberMetrics;
import io.uniform.metrics.Top;
import io.uniform.node.JobPlacement;
import io.uniform.node.Machine;
import io.uniform.node.Program;
import io.uniform.node.cluster.JobKeeper;
import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import io.uniform.node.yod.Yod;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One job run from the command line on an embedded machine in this JVM (or a running
 * cluster's machine, see {@link MachineConnection}): sends the job, prints every rank's output as it arrives (each line prefixed with its rank
 * when the job has several), feeds rank 0's stdin from {@link System#in} as the program reads
 * it, kills the job on Ctrl-C, and returns the job's shell status. Under {@code top}, the
 * screen shows the machine instead of the job's output, until the job ends or top has drawn its
 * screens (then the job is killed).
 */
final class JobSession {
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);
    private static final int INPUT_CHUNK = 64 << 10;
    /** Output yod may send ahead of this terminal's acknowledgements: ranks writing more wait for it. */
    static final long OUTPUT_WINDOW = 1 << 20;

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final CompletableFuture<JobReport.JobFinished> finished = new CompletableFuture<>();
    private final CompletableFuture<JobReport.JobStarted> started = new CompletableFuture<>();
    // The job as it runs now: a job restarted from its snapshot after a loss runs again under a new id and yod.
    private volatile JobReport.JobStarted current;
    private final ExecutorService stdinReader = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "uniform-stdin");
        thread.setDaemon(true); // a read blocked on a terminal must not keep the JVM alive
        return thread;
    });
    private final InputStream in = System.in;
    // How top shows the machine while the job runs; null: the job's output is shown instead.
    private final Top.Settings top;

    /** A session that shows the job's output. */
    JobSession() {
        this(null);
    }

    /** A session that shows the machine as {@code top} says while the job runs (null: the job's output). */
    JobSession(Top.Settings top) {
        this.top = top;
    }

    /**
     * Runs {@code program} as {@code size} ranks placed as {@code placement} says and returns the shell
     * status: the job's, 1 if it could not start, 130 if interrupted.
     */
    int run(MachineConnection connection, Program program, JobPlacement placement, int size, Yod.Options options) {
        return run(connection, size > 1, terminal -> new Machine.Run(program, placement, size, terminal, options));
    }

    /**
     * Runs the job {@code job} asks the machine for (a run or a restart, reporting to the
     * terminal it is given) and returns its shell status as {@link #run(MachineConnection,
     * Program, JobPlacement, int, Yod.Options)} does; {@code prefixRanks}: the job has several ranks.
     */
    int run(MachineConnection connection, boolean prefixRanks, Function<ActorRef<JobReport>, Machine.Command> job) {
        ActorSystem<?> system = connection.system();
        Thread interrupt = new Thread(() -> killOnInterrupt(), "uniform-interrupt");
        if (connection.clustered()) {
            // Ctrl-C runs Pekko's shutdown hook too, which leaves the cluster: a JVM hook of our own
            // would race it, and the kill could go out after the client had left. The first phase of
            // the coordinated shutdown runs before the leaving, whatever started it.
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "uniform-kill-job",
                    () -> CompletableFuture.supplyAsync(() -> {
                        killOnInterrupt();
                        return Done.getInstance();
                    }));
        } else {
            Runtime.getRuntime().addShutdownHook(interrupt);
        }
        MemberMetrics metrics = null;
        try {
            metrics = startMetrics(connection);
            // Should the machine stop before the job finishes, stop waiting rather than hang.
            system.getWhenTerminated().whenComplete((done, failure) ->
                    finished.completeExceptionally(new IllegalStateException("the machine stopped before the job finished")));
            ActorRef<JobReport> terminal = system.systemActorOf(terminal(prefixRanks, connection.clustered()), "terminal", Props.empty());
            if (connection.clustered()) {
                // The job's yod lives with the machine on another member: should that member die, the keeper has the job recovered.
                system.systemActorOf(JobKeeper.create(connection.machine(), job, terminal), "job-keeper", Props.empty());
            } else {
                connection.machine().tell(job.apply(terminal));
            }
            if (top != null) {
                CompletableFuture.anyOf(started, finished).get(); // the machine with the job on it
                Top.show(system, metrics.view(), top, out, finished);
                if (!finished.isDone()) {
                    current.yod().tell(new Yod.KillJob("top has drawn its screens")); // it started: it has not finished
                }
            }
            return report(finished.get());
        } catch (UncheckedIOException e) {
            err.println("uniform: " + e.getMessage());
            return 1;
        } catch (ExecutionException e) {
            out.flush();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            err.println("uniform: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } finally {
            try {
                if (!connection.clustered()) {
                    Runtime.getRuntime().removeShutdownHook(interrupt);
                }
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting (Ctrl-C): the hook runs and kills the job
            }
            stdinReader.shutdownNow();
            if (metrics != null) {
                metrics.close();
            }
            connection.close();
        }
    }

    /**
     * This JVM's metrics when top shows them or {@code uniform.metrics.port} asks for an endpoint
     * (which is announced); null without either.
     */
    private MemberMetrics startMetrics(MachineConnection connection) {
        ActorSystem<?> system = connection.system();
        if (connection.clustered()) {
            // A cluster's members serve their own figures (--metrics-port refuses --cluster); top hears them.
            return top == null ? null : MemberMetrics.listening(system, ClusterMember.machineName(system), system.settings().config());
        }
        Config config = system.settings().config();
        if (top != null) {
            // Sampled as often as top draws; a member is stale after three of them at the least.
            long staleAfter = Math.max(config.getDuration("uniform.metrics.stale-after").toMillis(), 3 * top.interval().toMillis());
            config = ConfigFactory.parseMap(Map.of("uniform.metrics.interval", top.interval().toMillis() + "ms",
                    "uniform.metrics.stale-after", staleAfter + "ms")).withFallback(config);
        } else if (config.getInt("uniform.metrics.port") == 0) {
            return null;
        }
        // The machine is the system's guardian: its nodes are listed under the guardian's name.
        MemberMetrics metrics = MemberMetrics.start(system, system.path().name(), connection.machine(), config);
        if (metrics.port() != 0) {
            err.println("uniform: metrics at http://" + config.getString("uniform.metrics.host") + ":" + metrics.port() + "/metrics");
        }
        return metrics;
    }

    /** The configuration of a machine embedded in a command: warnings only, no dead-letter noise, no JVM shutdown hook. */
    static Config quietConfig() {
        // Bind SLF4J on this thread first: when the actor system's threads race to initialise it,
        // SLF4J prints a "replaying intercepted calls" notice to stderr.
        org.slf4j.LoggerFactory.getILoggerFactory();
        return ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                pekko.stdout-loglevel = OFF
                pekko.log-dead-letters = off
                pekko.log-dead-letters-during-shutdown = off
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                """).withFallback(ConfigFactory.load());
    }

    /** Prints why ranks were killed or refused; the job's shell status. */
    private int report(JobReport.JobFinished result) {
        out.flush();
        if (result.error() != null) {
            err.println("uniform: " + result.error());
            return 1;
        }
        for (JobReport.RankStatus status : result.statuses()) {
            String rank = result.statuses().size() > 1 ? "rank " + status.rank() + " (nid " + status.nid() + "): " : "";
            if (status.pctReloads() > 0) {
                err.println("uniform: " + rank + "the PCT faulted and was reloaded " + status.pctReloads()
                        + (status.pctReloads() == 1 ? " time" : " times") + "; the process went on");
            }
            if (status.report() != null) {
                err.println("uniform: " + rank + status.report());
            }
        }
        return result.shellStatus();
    }

    /** Ctrl-C: kill the job, so that its nodes are freed, and wait a little for its end to print it. */
    private void killOnInterrupt() {
        JobReport.JobStarted job = current;
        if (job == null || finished.isDone()) {
            return;
        }
        job.yod().tell(new Yod.KillJob("interrupted (Ctrl-C on yod)"));
        try {
            report(finished.get(KILL_GRACE.toSeconds(), TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            err.println("uniform: the job did not end within " + KILL_GRACE + " of being killed");
        }
    }

    /** Prints output as it arrives, answers stdin requests, completes {@link #finished} at the end. */
    private Behavior<JobReport> terminal(boolean prefixRanks, boolean announce) {
        Map<Long, ByteArrayOutputStream> partialLines = new HashMap<>();
        return Behaviors.receive((context, report) -> {
            if (report instanceof JobReport.JobStarted job) {
                if (current != null) {
                    err.println("uniform: job " + current.jobId() + " restarts from its snapshot as job " + job.jobId() + " on nodes " + job.nids());
                } else if (announce) { // on a cluster others may be running jobs: the operator needs the id to move its ranks
                    err.println("uniform: job " + job.jobId() + " runs on nodes " + job.nids());
                }
                current = job;
                started.complete(job);
            } else if (report instanceof Checkpoint.Taken taken) {
                err.println("uniform: " + CheckpointCommand.describe(taken));
            } else if (report instanceof JobEvent.Output output && top != null) {
                current.yod().tell(new Yod.OutputAck(output.bytes().length)); // the screen is top's
            } else if (report instanceof JobEvent.Output output) {
                PrintStream stream = output.fd() == 2 ? err : out;
                if (prefixRanks) {
                    printLines(stream, output, partialLines.computeIfAbsent(((long) output.rank() << 2) | output.fd(),
                            key -> new ByteArrayOutputStream()));
                } else {
                    stream.write(output.bytes(), 0, output.bytes().length);
                }
                stream.flush();
                current.yod().tell(new Yod.OutputAck(output.bytes().length));
            } else if (report instanceof JobEvent.Moved moved) {
                err.println("uniform: rank " + moved.rank() + " moved to node " + moved.nid());
            } else if (report instanceof JobEvent.MoveFailed failed) {
                err.println("uniform: rank " + failed.rank() + " did not move to node " + failed.to() + ": " + failed.reason());
            } else if (report instanceof JobReport.InputWanted) {
                ActorRef<Yod.Command> yod = current.yod();
                stdinReader.execute(() -> yod.tell(new Yod.Input(readInput())));
            } else if (report instanceof JobReport.JobFinished done) {
                partialLines.forEach((key, line) -> {
                    if (line.size() > 0) {
                        PrintStream stream = (key & 3) == 2 ? err : out;
                        stream.print("[" + (key >> 2) + "] ");
                        stream.write(line.toByteArray(), 0, line.size());
                        stream.println();
                    }
                });
                finished.complete(done);
                return Behaviors.stopped();
            }
            return Behaviors.same();
        });
    }

    /** Writes each complete line of {@code output} with its rank in front; keeps a partial last line. */
    private static void printLines(PrintStream stream, JobEvent.Output output, ByteArrayOutputStream partial) {
        for (byte b : output.bytes()) {
            partial.write(b);
            if (b == '\n') {
                stream.print("[" + output.rank() + "] ");
                stream.write(partial.toByteArray(), 0, partial.size());
                partial.reset();
            }
        }
    }

    /** Up to one chunk of stdin, read when the program asks: empty at end of input (or if it cannot be read). */
    private byte[] readInput() {
        byte[] buffer = new byte[INPUT_CHUNK];
        try {
            int n = in.read(buffer);
            return n <= 0 ? new byte[0] : Arrays.copyOf(buffer, n);
        } catch (IOException e) {
            err.println("uniform: cannot read stdin: " + e.getMessage());
            return new byte[0];
        }
    }
}
