package io.uniform.metrics;

import io.uniform.node.CborSerializable;
import io.uniform.node.NodeActor;

/**
 * One node as its member sampled it: its state and activity, with the rates since the sample
 * before: millions of instructions per second and Portals messages consumed per second.
 */
public record NodeSample(NodeActor.Figures figures, double mips, double messagesPerSecond) implements CborSerializable {
    public int nid() {
        return figures.state().nid();
    }
}
