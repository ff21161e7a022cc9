package io.uniform.portals;

import static io.uniform.portals.Ptl.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.uniform.portals.Layout.Ni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A process that scribbles over its own Portals structures while traffic arrives and it keeps
 * calling: whatever it does, every call returns a code, every message an outcome, nothing
 * throws or hangs, and the process next door is untouched. Deterministic for each seed.
 */
class FuzzTest {
    private static final int SLOTS = 48;
    private static final int SLOT = 1024;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void aProcessScribblingOnItsOwnStructuresHarmsNoOneAndNothingEscapes(long seed) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(seed));
    }

    private void run(long seed) {
        Node node = new Node(new PortalsEngine(new PortalsEngine.Config(32, 32, 8, 32)));
        Proc sender = node.process(1, 10, 100, 7).init();
        Proc victim = node.process(2, 20, 100, 7).init();
        Proc bystander = node.process(3, 30, 100, 7).init();
        byte[] bystanderBefore = bystander.image();
        Random random = new Random(seed);
        int[] slots = new int[SLOTS];
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = victim.alloc(SLOT);
        }
        int senderMd = sender.mdBind(Proc.md(sender.buffer(Proc.bytes(256, 1)), 256, PTL_MD_THRESH_INF, 0,
                PTL_EQ_NONE), PTL_RETAIN);
        List<Integer> handles = new ArrayList<>();
        int delivered = 0;
        for (int step = 0; step < 20_000; step++) {
            int slot = slots[random.nextInt(SLOTS)];
            switch (random.nextInt(12)) {
                case 0, 1 -> scribble(victim, address(random, victim, slots, handles), value(random, victim, handles));
                case 2, 3, 4 -> {
                    Outcome outcome = victim.engine.receive(victim.space, victim.ni,
                            message(random, sender, victim, senderMd, handles));
                    assertNotNull(outcome);
                    delivered += outcome.drop() == null ? 1 : 0;
                    for (PortalsMessage answer : outcome.send()) {
                        assertNotNull(sender.engine.receive(sender.space, sender.ni, answer));
                    }
                }
                case 5 -> record(random, victim.engine.meAttach(victim.space, victim.ni, victim.ni, random.nextInt(6),
                        random.nextBoolean() ? ProcessId.ANY : sender.id(), random.nextInt(4), random.nextInt(2),
                        random.nextInt(3), random.nextInt(3), slot, victim.outPtr()), victim, handles);
                case 6 -> record(random, victim.engine.mdAttach(victim.space, victim.ni, pick(random, handles),
                        descriptor(random, slots, handles), random.nextInt(3), slot, victim.outPtr()), victim, handles);
                case 7 -> record(random, victim.engine.mdBind(victim.space, victim.ni, victim.ni,
                        descriptor(random, slots, handles), random.nextInt(2), slot, victim.outPtr()), victim, handles);
                case 8 -> record(random, victim.engine.eqAlloc(victim.space, victim.ni, victim.ni, random.nextInt(6),
                        0, slot, victim.outPtr()), victim, handles);
                case 9 -> {
                    int handle = pick(random, handles);
                    int status = switch (random.nextInt(4)) {
                        case 0 -> victim.engine.meUnlink(victim.space, victim.ni, handle);
                        case 1 -> victim.engine.mdUnlink(victim.space, victim.ni, handle);
                        case 2 -> victim.engine.eqFree(victim.space, victim.ni, handle);
                        default -> victim.engine.eqGet(victim.space, victim.ni, handle, random.nextBoolean()
                                ? victim.outPtr() : handle);
                    };
                    assertTrue(status >= PTL_OK && status < PTL_MAX_ERRNO, Ptl.errorName(status));
                }
                case 10 -> {
                    Outcome out = random.nextBoolean()
                            ? victim.put(pick(random, handles), random.nextInt(2), sender.id(), random.nextInt(4), 1)
                            : victim.get(pick(random, handles), sender.id(), random.nextInt(4), 1, random.nextInt(16));
                    for (PortalsMessage message : out.send()) {
                        sender.engine.receive(sender.space, sender.ni, message);
                    }
                }
                default -> victim.engine.acEntry(victim.space, victim.ni, victim.ni, random.nextInt(40),
                        ProcessId.ANY, PTL_UID_ANY, random.nextBoolean() ? 7 : PTL_JID_ANY, random.nextInt(70));
            }
        }
        assertArrayEquals(bystanderBefore, bystander.image());
        assertTrue(delivered > 0, "some traffic got through");
    }

    /** The process writes over its own memory (the writable part of its region; elsewhere it would just fault). */
    private static void scribble(Proc victim, int address, int value) {
        if (Integer.compareUnsigned(address - (Proc.BASE + 0x1000), Proc.SIZE - 0x1000 - 4) <= 0) {
            victim.space.store32(address, value);
        }
    }

    private static void record(Random random, int status, Proc victim, List<Integer> handles) {
        assertTrue(status >= PTL_OK && status < PTL_MAX_ERRNO, Ptl.errorName(status));
        if (status == PTL_OK) {
            handles.add(victim.handleOut());
            if (handles.size() > 64) {
                handles.remove(random.nextInt(handles.size()));
            }
        }
    }

    private static int pick(Random random, List<Integer> handles) {
        return handles.isEmpty() || random.nextInt(8) == 0 ? random.nextInt() : handles.get(random.nextInt(handles.size()));
    }

    /** Somewhere in the victim's Portals state: its block, a record, a slot, or anywhere in its region. */
    private static int address(Random random, Proc victim, int[] slots, List<Integer> handles) {
        return switch (random.nextInt(4)) {
            case 0 -> victim.ni + 4 * random.nextInt(Ni.SIZE / 4);
            case 1 -> pick(random, handles) + 4 * random.nextInt(20) & ~3;
            case 2 -> slots[random.nextInt(slots.length)] + 4 * random.nextInt(SLOT / 4);
            default -> Proc.BASE + 0x1000 + 4 * random.nextInt((Proc.SIZE - 0x1000) / 4);
        } | 0;
    }

    /** A value a scribbler might leave: small numbers, pointers to records, wild pointers, all ones. */
    private static int value(Random random, Proc victim, List<Integer> handles) {
        return switch (random.nextInt(6)) {
            case 0 -> random.nextInt(8);
            case 1 -> pick(random, handles);
            case 2 -> victim.ni;
            case 3 -> -1;
            case 4 -> 0x7000_0000 + random.nextInt(0x1000);
            default -> random.nextInt();
        };
    }

    private static MemoryDescriptor descriptor(Random random, int[] slots, List<Integer> handles) {
        int start = random.nextInt(6) == 0 ? random.nextInt() : slots[random.nextInt(slots.length)];
        long length = random.nextInt(6) == 0 ? random.nextLong() : random.nextInt(SLOT + 64);
        int options = random.nextInt(0x200);
        return new MemoryDescriptor(start, length, random.nextInt(5) - 1, random.nextInt(64), options, 0,
                random.nextBoolean() ? PTL_EQ_NONE : pick(random, handles));
    }

    private static PortalsMessage message(Random random, Proc sender, Proc victim, int senderMd,
                                          List<Integer> handles) {
        long bits = random.nextInt(4);
        int pt = random.nextInt(10) == 0 ? random.nextInt() : random.nextInt(6);
        int ac = random.nextInt(10) == 0 ? random.nextInt(40) : 0;
        long offset = random.nextInt(8) == 0 ? random.nextLong() : random.nextInt(64);
        Payload data = Payload.copyOf(Proc.bytes(random.nextInt(80), random.nextInt()));
        return switch (random.nextInt(4)) {
            case 0 -> new PutRequest(sender.id(), 100, 7, victim.id(), pt, ac, bits, offset, 0, random.nextBoolean(),
                    senderMd, data);
            case 1 -> new GetRequest(sender.id(), 100, 7, victim.id(), pt, ac, bits, offset,
                    random.nextInt(8) == 0 ? random.nextLong() : random.nextInt(80), senderMd, 0);
            case 2 -> new Reply(sender.id(), 100, 7, victim.id(), pt, bits, pick(random, handles), offset, 80, data);
            default -> new Ack(sender.id(), 100, 7, victim.id(), pt, bits, pick(random, handles), 8, 8, offset);
        };
    }
}
