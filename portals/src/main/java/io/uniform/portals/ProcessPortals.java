package io.uniform.portals;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * What a kernel keeps per process for Portals, and all of it: the address of the process's
 * interface block ({@code ni}, 0 before {@code PtlNIInit}; everything else of its Portals state
 * is in its own memory), who the process is ({@link Identity}: the source of every message it
 * sends), and its job ({@link JobMap}, for the collectives). {@link PortalsCalls#perform}
 * updates {@code ni} in place at {@code PtlNIInit} and {@code PtlNIFini}; everything else is
 * fixed. A small value: {@link #copy()} it, or rebuild it from its three parts, to move it
 * with a migrating process's memory image.
 */
public final class ProcessPortals {
    private int ni;
    private final Identity identity;
    private final JobMap job;

    /** A process that has not called {@code PtlNIInit} yet. */
    public ProcessPortals(Identity identity, JobMap job) {
        this(0, identity, job);
    }

    /** A process whose interface block is at {@code ni} (0 for none), e.g. restored after a migration. */
    @JsonCreator
    public ProcessPortals(@JsonProperty("ni") int ni, @JsonProperty("identity") Identity identity,
                          @JsonProperty("job") JobMap job) {
        this.ni = ni;
        this.identity = Objects.requireNonNull(identity, "identity");
        this.job = Objects.requireNonNull(job, "job");
        if (!job.self().equals(identity.id())) {
            throw new IllegalArgumentException("process " + identity.id() + " is not rank " + job.rank()
                    + " of its job, " + job.self());
        }
    }

    /** The process's interface block: the NI handle, or 0 before {@code PtlNIInit} and after {@code PtlNIFini}. */
    @JsonProperty("ni")
    public int ni() {
        return ni;
    }

    void ni(int newNi) {
        ni = newNi;
    }

    @JsonProperty("identity")
    public Identity identity() {
        return identity;
    }

    @JsonProperty("job")
    public JobMap job() {
        return job;
    }

    /** An independent copy (the identity and the job map are immutable and shared). */
    public ProcessPortals copy() {
        return new ProcessPortals(ni, identity, job);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ProcessPortals that && ni == that.ni && identity.equals(that.identity)
                && job.equals(that.job);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ni, identity, job);
    }

    @Override
    public String toString() {
        return String.format("ProcessPortals[ni=0x%08x, %s, %s]", ni, identity, job);
    }
}
