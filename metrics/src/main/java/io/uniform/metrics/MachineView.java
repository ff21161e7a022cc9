package io.uniform.metrics;

import io.uniform.node.CborSerializable;
import java.util.List;

/** The whole machine as one member sees it: the latest report of every member heard from lately, by member. */
public record MachineView(List<MemberReport> members) implements CborSerializable {
    public MachineView {
        members = List.copyOf(members);
    }
}
