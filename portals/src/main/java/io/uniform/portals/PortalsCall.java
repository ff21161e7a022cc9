package io.uniform.portals;

import io.uniform.portals.Layout.Field;
import io.uniform.portals.Layout.MdT;
import io.uniform.portals.Layout.ProcessIdT;
import io.uniform.portals.Layout.Struct;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The uniform call that carries Portals from the unified library to the kernel, once: its call
 * numbers and, per op, the number and the layout of the argument block the call's second
 * argument points at. {@code guest/include/uniform_portals_abi.h} says the same in C, with a
 * {@code _Static_assert} for every offset below; {@code PortalsCallParityTest} compares the two
 * name by name. {@link PortalsCalls} decodes the blocks.
 *
 * <p>A process makes the call as {@code uk_portals(op, args)}: on Linux the system call
 * {@link #UK_SYS_PORTALS} with {@code a0 = op, a1 = args}; on Puma the trap
 * {@link #PUMA_TRAP_PORTALS} with {@code args[0] = op, args[1] = args}. The result is a Portals
 * return code.
 */
public enum PortalsCall {
    NI_INIT(1, "ni_init", 24, u32("iface", 0), u32("pid", 4), u32("desired", 8), u32("actual", 12),
            u32("ni_handle", 16), u32("block", 20)),
    NI_FINI(2, "ni_fini", 4, u32("ni_handle", 0)),
    NI_STATUS(3, "ni_status", 12, u32("ni_handle", 0), u32("register_index", 4), u32("status", 8)),
    GET_ID(4, "get_id", 8, u32("ni_handle", 0), u32("id", 4)),
    GET_UID(5, "get_uid", 8, u32("ni_handle", 0), u32("uid", 4)),
    GET_JID(6, "get_jid", 8, u32("ni_handle", 0), u32("jid", 4)),
    AC_ENTRY(7, "ac_entry", 28, u32("ni_handle", 0), u32("ac_index", 4), id("match_id", 8), u32("user_id", 16),
            u32("job_id", 20), u32("pt_index", 24)),
    ME_ATTACH(8, "me_attach", 48, u32("ni_handle", 0), u32("pt_index", 4), id("match_id", 8),
            u64("match_bits", 16), u64("ignore_bits", 24), u32("unlink_op", 32), u32("position", 36),
            u32("me_handle", 40), u32("record", 44)),
    ME_ATTACH_ANY(9, "me_attach_any", 48, u32("ni_handle", 0), u32("pt_index", 4), id("match_id", 8),
            u64("match_bits", 16), u64("ignore_bits", 24), u32("unlink_op", 32), u32("me_handle", 36),
            u32("record", 40)),
    ME_INSERT(10, "me_insert", 48, u32("base", 0), id("match_id", 4), u64("match_bits", 16),
            u64("ignore_bits", 24), u32("unlink_op", 32), u32("position", 36), u32("me_handle", 40),
            u32("record", 44)),
    ME_UNLINK(11, "me_unlink", 4, u32("me_handle", 0)),
    MD_ATTACH(12, "md_attach", 72, u32("me_handle", 0), md("md", 8), u32("unlink_op", 56), u32("md_handle", 60),
            u32("record", 64)),
    MD_BIND(13, "md_bind", 72, u32("ni_handle", 0), md("md", 8), u32("unlink_op", 56), u32("md_handle", 60),
            u32("record", 64)),
    MD_UNLINK(14, "md_unlink", 4, u32("md_handle", 0)),
    EQ_ALLOC(15, "eq_alloc", 32, u32("ni_handle", 0), u64("count", 8), u32("eq_handler", 16), u32("eq_handle", 20),
            u32("record", 24)),
    EQ_FREE(16, "eq_free", 4, u32("eq_handle", 0)),
    /** Blocks until the queue holds an event ({@link PortalsCalls.Result#waitForEq()}), then PTL_OK. */
    EQ_WAIT(17, "eq_wait", 8, u32("eq_handle", 0), u32("timeout", 4)),
    EQ_GET(18, "eq_get", 8, u32("eq_handle", 0), u32("event", 4)),
    PUT(19, "put", 48, u32("md_handle", 0), u32("ack_req", 4), id("target_id", 8), u32("pt_index", 16),
            u32("ac_index", 20), u64("match_bits", 24), u64("remote_offset", 32), u64("hdr_data", 40)),
    PUT_REGION(20, "put_region", 72, u32("md_handle", 0), u64("local_offset", 8), u64("length", 16),
            u32("ack_req", 24), id("target_id", 28), u32("pt_index", 36), u32("ac_index", 40),
            u64("match_bits", 48), u64("remote_offset", 56), u64("hdr_data", 64)),
    GET(21, "get", 40, u32("md_handle", 0), id("target_id", 4), u32("pt_index", 12), u32("ac_index", 16),
            u64("match_bits", 24), u64("remote_offset", 32)),
    GET_REGION(22, "get_region", 56, u32("md_handle", 0), u64("local_offset", 8), u64("length", 16),
            id("target_id", 24), u32("pt_index", 32), u32("ac_index", 36), u64("match_bits", 40),
            u64("remote_offset", 48)),
    /** This process's rank and its job's size, for the collectives. */
    JOB_INFO(23, "job_info", 8, u32("rank", 0), u32("size", 4)),
    /** The process id of a rank of this process's job, for the collectives. */
    JOB_PROCESS(24, "job_process", 8, u32("rank", 0), u32("id", 4));

    /** The Linux-side call number of the uniform call (outside Linux's numbers: a real Linux answers ENOSYS). */
    public static final int UK_SYS_PORTALS = 0x554b;
    /** The Puma trap number of the uniform call. */
    public static final int PUMA_TRAP_PORTALS = 12;

    private static final PortalsCall[] BY_NUMBER = new PortalsCall[values().length + 1];

    static {
        for (PortalsCall call : values()) {
            BY_NUMBER[call.number] = call;
        }
    }

    private final int number;
    private final Struct block;
    private final Map<String, Field> fields = new HashMap<>();

    PortalsCall(int number, String name, int size, Field... fields) {
        this.number = number;
        this.block = new Struct("struct uk_ptl_args_" + name, size, List.of(fields));
        for (Field field : fields) {
            this.fields.put(field.cName(), field);
        }
    }

    /** The op number, {@code UK_PTL_OP_<name>} in the header. */
    public int number() {
        return number;
    }

    /** The argument block's C type, size and members. */
    public Struct block() {
        return block;
    }

    /** A member of the argument block by its C name. */
    public Field field(String cName) {
        Field field = fields.get(cName);
        if (field == null) {
            throw new IllegalArgumentException(block.cType() + " has no member " + cName);
        }
        return field;
    }

    /** The op of number {@code number}, or null if there is none. */
    public static PortalsCall of(int number) {
        return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    private static Field u32(String name, int offset) {
        return new Field(name, offset, 4);
    }

    private static Field u64(String name, int offset) {
        return new Field(name, offset, 8);
    }

    private static Field id(String name, int offset) {
        return new Field(name, offset, ProcessIdT.SIZE);
    }

    private static Field md(String name, int offset) {
        return new Field(name, offset, MdT.SIZE);
    }
}
