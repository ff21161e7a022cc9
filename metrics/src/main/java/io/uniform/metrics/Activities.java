package io.uniform.metrics;

import io.uniform.node.NodeActor;
import java.util.List;

/** Arithmetic on {@link NodeActor.Activity}. */
final class Activities {
    private Activities() {}

    static final NodeActor.Activity NONE = new NodeActor.Activity(0, 0, 0, 0, 0, 0, 0, 0, 0);

    static NodeActor.Activity sum(List<NodeActor.Activity> activities) {
        NodeActor.Activity total = NONE;
        for (NodeActor.Activity a : activities) {
            total = new NodeActor.Activity(total.instructions() + a.instructions(), total.traps() + a.traps(),
                    total.pageFaults() + a.pageFaults(), total.messagesIn() + a.messagesIn(), total.bytesIn() + a.bytesIn(),
                    total.messagesOut() + a.messagesOut(), total.bytesOut() + a.bytesOut(), total.migrationsIn() + a.migrationsIn(),
                    total.migrationsOut() + a.migrationsOut());
        }
        return total;
    }
}
