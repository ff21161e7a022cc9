package io.uniform.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.uniform.config.MachineConfigException;
import io.uniform.config.MachineDescription;
import io.uniform.config.MachineDescriptions;
import io.uniform.config.Partition;
import io.uniform.node.Machine;
import io.uniform.node.Program;
import io.uniform.node.yod.JobEvent;
import io.uniform.node.yod.JobReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code uniform run}: boots the embedded machine in this JVM (an actor system), runs the program
 * as a one-rank job through yod on the first free compute node (or service node), prints its
 * output as it arrives, and exits with its status. Redirected or piped stdin is read whole and
 * travels with the job (interactive stdin, from a terminal, comes later: the program then reads
 * end-of-file).
 */
@Command(name = "run",
        description = {"Run a program as a one-rank job on the embedded machine: Puma on a compute node (default) or Linux on a service node.",
                "Redirected or piped stdin is read in full and given to the program; "
                        + "interactive stdin (a terminal) is not forwarded yet: the program reads end-of-file.",
                "The exit status is the program's (128 + signal if it was killed)."})
final class RunCommand implements Callable<Integer> {
    /** Partitions a user may choose. */
    enum On { compute, service }

    @Option(names = "--on", paramLabel = "PARTITION", defaultValue = "compute",
            description = "Where the job runs: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    On on;

    @Option(names = "--machine", paramLabel = "PRESET", description = "The machine preset (default: the configured default machine).")
    String machine;

    @Parameters(index = "0", paramLabel = "PROG.elf", description = "The program: a static RV32IM ELF executable.")
    Path program;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments passed to the program.")
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        byte[] elf;
        try {
            elf = ProgramFile.read(program);
        } catch (ProgramFile.Unusable e) {
            System.err.println("uniform: " + e.getMessage());
            return e.exitStatus();
        }
        MachineDescription description;
        try {
            description = machine == null ? MachineDescriptions.defaultMachine() : MachineDescriptions.preset(machine);
        } catch (MachineConfigException e) {
            System.err.println("uniform: " + e.getMessage());
            return 2;
        }
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(arguments);
        Partition partition = on == On.service ? Partition.SERVICE : Partition.COMPUTE;
        byte[] stdin;
        try {
            stdin = System.console() == null ? System.in.readAllBytes() : new byte[0];
        } catch (IOException e) {
            System.err.println("uniform: cannot read stdin: " + e.getMessage());
            return 1;
        }

        Config config = ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                pekko.stdout-loglevel = OFF
                pekko.log-dead-letters = off
                pekko.log-dead-letters-during-shutdown = off
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                """).withFallback(ConfigFactory.load());
        PrintStream out = System.out;
        PrintStream err = System.err;
        // Bind SLF4J on this thread first: when the actor system's threads race to initialise it,
        // SLF4J prints a "replaying intercepted calls" notice to stderr.
        org.slf4j.LoggerFactory.getILoggerFactory();
        ActorSystem<Machine.Command> system = ActorSystem.create(Machine.create(description), "uniform", config);
        try {
            CompletableFuture<JobReport.JobFinished> finished = new CompletableFuture<>();
            // Should the machine stop before the job finishes, stop waiting rather than hang.
            system.getWhenTerminated().whenComplete((done, failure) ->
                    finished.completeExceptionally(new IllegalStateException("the machine stopped before the job finished")));
            ActorRef<JobReport> terminal = system.systemActorOf(terminal(out, err, finished), "terminal", Props.empty());
            system.tell(new Machine.Run(new Program(elf, argv, stdin), partition, 1, terminal));
            JobReport.JobFinished result = finished.get();
            out.flush();
            if (result.error() != null) {
                err.println("uniform: " + result.error());
                return 1;
            }
            for (JobReport.RankStatus status : result.statuses()) {
                if (status.report() != null) {
                    err.println("uniform: " + (status.status() == null ? program + ": " : "") + status.report());
                }
            }
            return result.shellStatus();
        } catch (ExecutionException e) {
            out.flush();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            err.println("uniform: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
            return 1;
        } finally {
            system.terminate();
            // Whatever happens while shutting down must not hide the job's status.
            try {
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                err.println("uniform: the machine did not shut down within " + Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | RuntimeException e) {
                err.println("uniform: the machine did not shut down cleanly: " + e);
            }
        }
    }

    /** Prints the job's output as it arrives; completes {@code finished} at the end. */
    private static Behavior<JobReport> terminal(PrintStream out, PrintStream err, CompletableFuture<JobReport.JobFinished> finished) {
        return Behaviors.receive((context, report) -> {
            if (report instanceof JobEvent.Output output) {
                PrintStream stream = output.fd() == 2 ? err : out;
                stream.write(output.bytes(), 0, output.bytes().length);
                stream.flush();
            } else if (report instanceof JobReport.JobFinished done) {
                finished.complete(done);
                return Behaviors.stopped();
            }
            return Behaviors.same();
        });
    }
}
