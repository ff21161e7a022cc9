package io.uniform.cli;

import io.uniform.node.Machine;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** An operator's one question to a running cluster's machine (migrate, drain, checkpoint): joins, asks, leaves. */
final class ClusterRequest {
    private ClusterRequest() {}

    /**
     * Asks the machine of the cluster {@code cluster} names and returns the exit status
     * {@code answered} makes of the answer: 2 without a cluster or with a bad address, 1 when the
     * cluster cannot be joined or the machine does not answer within {@code timeout}.
     */
    static <R> int ask(String command, ClusterOptions cluster, Function<ActorRef<R>, Machine.Command> request, Duration timeout,
                       ToIntFunction<R> answered) {
        if (!cluster.given()) {
            return usage(command, "needs a running cluster: start one with `uniform cluster up`, then give --cluster "
                    + "(HOST:PORT of a member, or nothing for the address in the cluster file)");
        }
        MachineConnection connection;
        try {
            connection = MachineConnection.cluster(cluster.seed());
        } catch (IllegalArgumentException e) {
            return usage(command, e.getMessage());
        } catch (ClusterMember.Unavailable e) {
            System.err.println("uniform: " + command + ": " + e.getMessage());
            return 1;
        }
        try (connection) {
            R answer = AskPattern.<Machine.Command, R>ask(connection.machine(), request::apply, timeout, connection.system().scheduler())
                    .toCompletableFuture().join();
            return answered.applyAsInt(answer);
        } catch (CompletionException e) {
            System.err.println("uniform: " + command + ": the machine did not answer within " + timeout.toSeconds() + " s: " + e.getCause());
            return 1;
        }
    }

    /** A usage error of {@code command}: status 2. */
    static int usage(String command, String message) {
        System.err.println("uniform: " + command + ": " + message);
        return 2;
    }
}
