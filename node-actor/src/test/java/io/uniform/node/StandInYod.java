package io.uniform.node;

import io.uniform.node.yod.JobEvent;
import io.uniform.process.Errno;
import io.uniform.process.io.IoReply;
import io.uniform.process.io.IoRequest;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A test probe playing yod for one rank on one node: it takes stdout, answers every other call
 * EBADF, and answers a retried request (the same sequence number) again without performing it.
 */
final class StandInYod {
    private StandInYod() {}

    /** Serves the rank until it ends; its stdout goes to {@code out}. A refused launch is an assertion error. */
    static JobEvent.Exited runToEnd(TestProbe<JobEvent> yod, ActorRef<NodeActor.Command> node, ByteArrayOutputStream out, Duration timeout) {
        long lastSequence = -1;
        IoReply lastReply = null;
        while (true) {
            JobEvent event = yod.receiveMessage(timeout);
            if (event instanceof JobEvent.IoCall call && call.sequence() == lastSequence) {
                node.tell(new NodeActor.IoDone(call.jobId(), call.sequence(), lastReply));
            } else if (event instanceof JobEvent.IoCall call) {
                IoReply reply = IoReply.error(Errno.EBADF);
                if (call.request() instanceof IoRequest.Write write && (write.fd() == 1 || write.fd() == 2)) {
                    if (write.fd() == 1) {
                        out.writeBytes(write.bytes());
                    }
                    reply = IoReply.of(write.length());
                }
                node.tell(new NodeActor.IoDone(call.jobId(), call.sequence(), reply));
                lastSequence = call.sequence();
                lastReply = reply;
            } else if (event instanceof JobEvent.Output output && output.fd() == 1) {
                out.writeBytes(output.bytes());
            } else if (event instanceof JobEvent.Exited exited) {
                return exited;
            } else if (event instanceof JobEvent.LaunchRefused refused) {
                throw new AssertionError("refused: " + refused);
            }
        }
    }
}
