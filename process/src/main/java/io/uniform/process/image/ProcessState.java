package io.uniform.process.image;

import io.uniform.cpu.HartState;
import java.util.List;
import java.util.Objects;

/**
 * A process frozen at an instruction boundary, apart from the contents of its memory (which
 * travel page by page, {@link FrozenMemory}): what the paper's "freeze and save" step saves, in
 * the form both kernels take. Each kernel maps what it can of its own process onto these fields
 * and keeps its defaults for the rest (docs/ARCHITECTURE.md, "What moves").
 *
 * @param os the OS it was frozen on ({@code UnifiedLibrary.OS_PUMA} or {@code OS_LINUX})
 * @param hart registers, pc and CSRs
 * @param areas every mapped range of its address space, in address order, with Linux protections
 * @param heapStart the first address of its heap (page aligned)
 * @param programBreak the current end of its heap
 * @param stackBottom the lowest address of its stack as mapped now (page aligned)
 * @param stackTop the end of its stack (exclusive, page aligned)
 * @param osFlagAddress the unified library's OS word, which the destination rewrites; 0 when the
 *     program is not linked with the unified library
 * @param sleepNanos what remains of a sleep it is in (0: none)
 * @param files its open files beyond the standard streams, to reopen at the same offsets
 */
public record ProcessState(int os, HartState hart, List<Area> areas, int heapStart, int programBreak, int stackBottom,
                           int stackTop, int osFlagAddress, long sleepNanos, List<OpenFile> files) {
    public ProcessState {
        Objects.requireNonNull(hart, "hart");
        areas = List.copyOf(areas);
        files = List.copyOf(files);
        if (sleepNanos < 0) {
            throw new IllegalArgumentException("a negative sleep: " + sleepNanos);
        }
    }

    /** The same state holding {@code open} files. */
    public ProcessState withFiles(List<OpenFile> open) {
        return new ProcessState(os, hart, areas, heapStart, programBreak, stackBottom, stackTop, osFlagAddress, sleepNanos, open);
    }
}
