package io.uniform.portals;

import static io.uniform.portals.Ptl.*;

import io.uniform.cpu.memory.Access;
import io.uniform.cpu.memory.AddressSpace;
import io.uniform.cpu.memory.MemoryFault;
import io.uniform.portals.Layout.ProcessIdT;
import java.util.List;

/**
 * The kernel side of the uniform call {@code uk_portals(op, args)}, kernel-neutral: reads the
 * op's argument block ({@link PortalsCall}) out of the caller's memory through the
 * {@link AddressSpace} accessors, performs the op on the node's {@link PortalsEngine} with the
 * caller's {@link ProcessPortals}, and says what the kernel must do next. The engine writes the
 * outputs through the pointers of the block. Nothing a process puts in its block makes this
 * throw: a block the kernel cannot read is {@link Ptl#PTL_SEGV}, an unknown op
 * {@link Ptl#PTL_FAIL}.
 *
 * <p>The kernel returns {@link Result#status()} to the caller (a0 on Linux, the trap's result on
 * Puma), sends {@link Result#send()} (routing each message by its destination, to be handed to
 * the destination node's {@link PortalsEngine#receive}), and wakes the callers blocked on
 * {@link Result#wokenEventQueues()}. When {@link Result#waitForEq()} is not -1 the call must
 * block: the kernel blocks the caller without answering, and performs the same call again when
 * an event reaches that event queue of that process (a {@link PortalsEngine#receive} or a call
 * of the process whose {@code wokenEventQueues} name it). A wait with a
 * {@linkplain Result#waitTimeout() timeout} may instead be answered {@link Ptl#PTL_OK} once the
 * timeout has passed (or at once: the library looks at its queue and its clock again either way).
 */
public final class PortalsCalls {
    /** {@link Result#waitForEq()} of a call that does not block. */
    public static final int NO_WAIT = -1;

    /**
     * What a call did: its Portals return code, the messages to send, the event queues (handles
     * in the caller's memory) that got events, and the event queue to wait on ({@link #NO_WAIT}
     * unless {@code EQ_WAIT} must block; -1 is {@link Ptl#PTL_INVALID_HANDLE}, never a queue)
     * with the longest the wait may last, in milliseconds ({@link Ptl#PTL_TIME_FOREVER}: until
     * an event comes).
     */
    public record Result(int status, List<PortalsMessage> send, List<Integer> wokenEventQueues, int waitForEq, int waitTimeout) {
        public Result {
            send = List.copyOf(send);
            wokenEventQueues = List.copyOf(wokenEventQueues);
        }

        /** A call that only returns {@code status}. */
        public static Result of(int status) {
            return new Result(status, List.of(), List.of(), NO_WAIT, PTL_TIME_FOREVER);
        }

        static Result of(Outcome outcome) {
            return new Result(outcome.status(), outcome.send(), outcome.eventQueues(), NO_WAIT, PTL_TIME_FOREVER);
        }

        /** Whether the caller must block until an event reaches {@link #waitForEq()}. */
        public boolean blocks() {
            return waitForEq != NO_WAIT;
        }
    }

    private final PortalsEngine engine;

    public PortalsCalls(PortalsEngine engine) {
        this.engine = engine;
    }

    public PortalsEngine engine() {
        return engine;
    }

    /**
     * Performs call {@code op} with the argument block at {@code args} for {@code process},
     * whose memory is {@code space}. {@code PtlNIInit} and {@code PtlNIFini} update
     * {@link ProcessPortals#ni()}.
     */
    public Result perform(AddressSpace space, ProcessPortals process, int op, int args) {
        PortalsCall call = PortalsCall.of(op);
        if (call == null) {
            return Result.of(PTL_FAIL);
        }
        try {
            space.validate(args, call.block().size(), Access.READ);
            return perform(space, process, call, new Block(space, call, args));
        } catch (MemoryFault fault) {
            return Result.of(PTL_SEGV);
        } catch (Refused refused) {
            return Result.of(refused.code());
        }
    }

    private Result perform(AddressSpace space, ProcessPortals process, PortalsCall call, Block b) {
        int ni = process.ni();
        Identity self = process.identity();
        return switch (call) {
            case NI_INIT -> {
                PortalsEngine.NiInit init = engine.niInit(space, ni, b.u32("block"), b.u32("iface"), b.u32("pid"),
                        self, b.u32("desired"), b.u32("actual"), b.u32("ni_handle"));
                process.ni(init.ni());
                yield Result.of(init.status());
            }
            case NI_FINI -> {
                int status = engine.niFini(space, ni, b.u32("ni_handle"));
                if (status == PTL_OK) {
                    process.ni(0);
                }
                yield Result.of(status);
            }
            case NI_STATUS -> Result.of(engine.niStatus(space, ni, b.u32("ni_handle"), b.u32("register_index"),
                    b.u32("status")));
            case GET_ID -> Result.of(engine.getId(space, ni, b.u32("ni_handle"), b.u32("id")));
            case GET_UID -> Result.of(engine.getUid(space, ni, b.u32("ni_handle"), b.u32("uid")));
            case GET_JID -> Result.of(engine.getJid(space, ni, b.u32("ni_handle"), b.u32("jid")));
            case AC_ENTRY -> Result.of(engine.acEntry(space, ni, b.u32("ni_handle"), b.u32("ac_index"),
                    b.id("match_id"), b.u32("user_id"), b.u32("job_id"), b.u32("pt_index")));
            case ME_ATTACH -> Result.of(engine.meAttach(space, ni, b.u32("ni_handle"), b.u32("pt_index"),
                    b.id("match_id"), b.u64("match_bits"), b.u64("ignore_bits"), b.u32("unlink_op"),
                    b.u32("position"), b.u32("record"), b.u32("me_handle")));
            case ME_ATTACH_ANY -> Result.of(engine.meAttachAny(space, ni, b.u32("ni_handle"), b.u32("pt_index"),
                    b.id("match_id"), b.u64("match_bits"), b.u64("ignore_bits"), b.u32("unlink_op"),
                    b.u32("record"), b.u32("me_handle")));
            case ME_INSERT -> Result.of(engine.meInsert(space, ni, b.u32("base"), b.id("match_id"),
                    b.u64("match_bits"), b.u64("ignore_bits"), b.u32("unlink_op"), b.u32("position"),
                    b.u32("record"), b.u32("me_handle")));
            case ME_UNLINK -> Result.of(engine.meUnlink(space, ni, b.u32("me_handle")));
            case MD_ATTACH -> Result.of(engine.mdAttach(space, ni, b.u32("me_handle"), b.md("md"),
                    b.u32("unlink_op"), b.u32("record"), b.u32("md_handle")));
            case MD_BIND -> Result.of(engine.mdBind(space, ni, b.u32("ni_handle"), b.md("md"), b.u32("unlink_op"),
                    b.u32("record"), b.u32("md_handle")));
            case MD_UNLINK -> Result.of(engine.mdUnlink(space, ni, b.u32("md_handle")));
            case EQ_ALLOC -> Result.of(engine.eqAlloc(space, ni, b.u32("ni_handle"), b.u64("count"),
                    b.u32("eq_handler"), b.u32("record"), b.u32("eq_handle")));
            case EQ_FREE -> Result.of(engine.eqFree(space, ni, b.u32("eq_handle")));
            case EQ_WAIT -> {
                int eq = b.u32("eq_handle");
                int status = engine.eqPending(space, ni, eq);
                yield status == PTL_EQ_EMPTY ? new Result(status, List.of(), List.of(), eq, b.u32("timeout")) : Result.of(status);
            }
            case EQ_GET -> Result.of(engine.eqGet(space, ni, b.u32("eq_handle"), b.u32("event")));
            case PUT -> Result.of(engine.put(space, ni, self, b.u32("md_handle"), b.u32("ack_req"),
                    b.id("target_id"), b.u32("pt_index"), b.u32("ac_index"), b.u64("match_bits"),
                    b.u64("remote_offset"), b.u64("hdr_data")));
            case PUT_REGION -> Result.of(engine.putRegion(space, ni, self, b.u32("md_handle"),
                    b.u64("local_offset"), b.u64("length"), b.u32("ack_req"), b.id("target_id"),
                    b.u32("pt_index"), b.u32("ac_index"), b.u64("match_bits"), b.u64("remote_offset"),
                    b.u64("hdr_data")));
            case GET -> Result.of(engine.get(space, ni, self, b.u32("md_handle"), b.id("target_id"),
                    b.u32("pt_index"), b.u32("ac_index"), b.u64("match_bits"), b.u64("remote_offset")));
            case GET_REGION -> Result.of(engine.getRegion(space, ni, self, b.u32("md_handle"),
                    b.u64("local_offset"), b.u64("length"), b.id("target_id"), b.u32("pt_index"),
                    b.u32("ac_index"), b.u64("match_bits"), b.u64("remote_offset")));
            case JOB_INFO -> {
                int rank = b.u32("rank");
                int size = b.u32("size");
                space.validate(rank, 4, Access.WRITE);
                space.validate(size, 4, Access.WRITE);
                space.store32(rank, process.job().rank());
                space.store32(size, process.job().size());
                yield Result.of(PTL_OK);
            }
            case JOB_PROCESS -> {
                int rank = b.u32("rank");
                int id = b.u32("id");
                if (rank < 0 || rank >= process.job().size()) {
                    yield Result.of(PTL_PROCESS_INVALID);
                }
                space.validate(id, ProcessIdT.SIZE, Access.WRITE);
                process.job().process(rank).write(space, id);
                yield Result.of(PTL_OK);
            }
        };
    }

    /** An argument block already validated as readable: its members by C name. */
    private record Block(AddressSpace space, PortalsCall call, int base) {
        int u32(String member) {
            return space.load32(call.field(member).at(base));
        }

        long u64(String member) {
            return Words.load64(space, call.field(member).at(base));
        }

        ProcessId id(String member) {
            return ProcessId.read(space, call.field(member).at(base));
        }

        MemoryDescriptor md(String member) {
            return MemoryDescriptor.read(space, call.field(member).at(base));
        }
    }
}
