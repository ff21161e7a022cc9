package io.uniform.node;

import io.uniform.node.yod.Checkpoint;
import io.uniform.node.yod.SnapshotFile;
import io.uniform.process.image.Area;
import io.uniform.process.image.ProcessState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.serialization.Serialization;

/**
 * What a snapshot recorded of some of its ranks, for the machine to judge where they may
 * restart: each one's state and the instruction word it runs next (read from its recorded
 * pages; a rank recorded at a system call sits at its ecall, to make the call again).
 */
final class RecordedRanks {
    private RecordedRanks() {}

    /** Rank {@code state}, whose next instruction is {@code nextInstruction} (0 if its page holds none: a fault it would take anyway). */
    record Recorded(ProcessState state, int nextInstruction) {}

    /**
     * The recorded {@code ranks} of {@code file}, whose page chunks hold at most {@code chunkPages} pages each.
     *
     * @throws SnapshotFile.BadSnapshot the file is not a whole snapshot, cannot be read, or lacks one of them
     */
    static Map<Integer, Recorded> of(Path file, Serialization serialization, Set<Integer> ranks, int chunkPages)
            throws SnapshotFile.BadSnapshot {
        Map<Integer, ProcessState> states = new HashMap<>();
        Map<Integer, Integer> instructions = new HashMap<>();
        SnapshotFile.read(file, serialization, record -> {
            if (record instanceof Checkpoint.RankState recorded && ranks.contains(recorded.rank())) {
                states.put(recorded.rank(), recorded.state());
            } else if (record instanceof Checkpoint.RankPages pages && states.containsKey(pages.rank())) {
                int pc = states.get(pages.rank()).hart().pc();
                PageChunk.decode(pages.chunk(), chunkPages, new PageChunk.Sink() {
                    @Override
                    public void page(int address, byte[] chunk, int offset) {
                        if (address == (pc & -Area.PAGE_SIZE)) {
                            int at = offset + (pc & (Area.PAGE_SIZE - 1));
                            instructions.put(pages.rank(), ByteBuffer.wrap(chunk, at, Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).getInt());
                        }
                    }

                    @Override
                    public void zeros(int address) {
                        // a page of zeros holds no instruction
                    }
                });
            }
            return instructions.size() < ranks.size(); // a state comes before its pages: every state is in once every word is
        });
        if (!states.keySet().containsAll(ranks)) {
            Set<Integer> missing = new TreeSet<>(ranks);
            missing.removeAll(states.keySet());
            throw new SnapshotFile.BadSnapshot("the snapshot " + file + " holds no state of rank(s) " + missing);
        }
        Map<Integer, Recorded> recorded = new HashMap<>();
        ranks.forEach(rank -> recorded.put(rank, new Recorded(states.get(rank), instructions.getOrDefault(rank, 0))));
        return recorded;
    }
}
