package io.uniform.metrics;

import io.uniform.node.CborSerializable;
import io.uniform.node.NodeActor;

/**
 * One node as its member sampled it: its state and activity, with the rates since the sample
 * before: millions of instructions per second and Portals messages consumed per second; and the
 * messages waiting in its node actor's mailbox (-1 when its member does not count them).
 */
public record NodeSample(NodeActor.Figures figures, double mips, double messagesPerSecond, long mailboxMessages)
        implements CborSerializable {
    public int nid() {
        return figures.state().nid();
    }
}
