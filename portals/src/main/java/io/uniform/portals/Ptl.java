package io.uniform.portals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;

/**
 * The constants of the Portals 3.3 C API, under the specification's names, with uniform's
 * values: the same as {@code guest/include/portals.h}, which {@code HeaderParityTest} compares
 * with this class name by name. Unsigned 32-bit C values are Java {@code int}s with the same
 * bits (so {@link #PTL_NID_ANY} is -1).
 */
public final class Ptl {
    private Ptl() {
    }

    // Return codes (spec 3.17).
    public static final int PTL_OK = 0;
    public static final int PTL_AC_INDEX_INVALID = 1;
    public static final int PTL_EQ_DROPPED = 2;
    public static final int PTL_EQ_EMPTY = 3;
    public static final int PTL_EQ_INVALID = 4;
    public static final int PTL_FAIL = 5;
    public static final int PTL_HANDLE_INVALID = 6;
    public static final int PTL_IFACE_INVALID = 7;
    public static final int PTL_MD_ILLEGAL = 8;
    public static final int PTL_MD_INVALID = 9;
    public static final int PTL_MD_IN_USE = 10;
    public static final int PTL_MD_NO_UPDATE = 11;
    public static final int PTL_ME_INVALID = 12;
    public static final int PTL_ME_IN_USE = 13;
    public static final int PTL_ME_LIST_TOO_LONG = 14;
    public static final int PTL_NI_INVALID = 15;
    public static final int PTL_NO_INIT = 16;
    public static final int PTL_NO_SPACE = 17;
    public static final int PTL_PID_INVALID = 18;
    public static final int PTL_PROCESS_INVALID = 19;
    public static final int PTL_PT_FULL = 20;
    public static final int PTL_PT_INDEX_INVALID = 21;
    public static final int PTL_SEGV = 22;
    public static final int PTL_SR_INDEX_INVALID = 23;
    public static final int PTL_UNKNOWN_ERROR = 24;
    public static final int PTL_MAX_ERRNO = 25;

    // Handles: a handle is the address of its record; none lives at 0 and 0xffffffff is unaligned.
    public static final int PTL_INVALID_HANDLE = 0xffffffff;
    public static final int PTL_EQ_NONE = 0;
    public static final int PTL_EQ_HANDLER_NONE = 0;

    public static final int PTL_IFACE_DEFAULT = 0;

    // Wildcards.
    public static final int PTL_NID_ANY = 0xffffffff;
    public static final int PTL_PID_ANY = 0xffffffff;
    public static final int PTL_UID_ANY = 0xffffffff;
    public static final int PTL_JID_ANY = 0xffffffff;
    public static final int PTL_PT_INDEX_ANY = 0xffffffff;

    // Status registers (only PTL_SR_DROP_COUNT is the specification's).
    public static final int PTL_SR_DROP_COUNT = 0;
    public static final int PTL_SR_DROP_LENGTH = 1;
    public static final int PTL_SR_RECV_COUNT = 2;
    public static final int PTL_SR_RECV_LENGTH = 3;
    public static final int PTL_SR_SEND_COUNT = 4;
    public static final int PTL_SR_SEND_LENGTH = 5;
    public static final int UK_PTL_SR_CORRUPT_COUNT = 6;
    public static final int UK_PTL_SR_COUNT = 8;

    // ptl_unlink_t, ptl_ins_pos_t, ptl_ack_req_t.
    public static final int PTL_RETAIN = 0;
    public static final int PTL_UNLINK = 1;
    public static final int PTL_INS_BEFORE = 0;
    public static final int PTL_INS_AFTER = 1;
    public static final int PTL_ACK_REQ = 0;
    public static final int PTL_NO_ACK_REQ = 1;

    // Memory descriptor threshold and options.
    public static final int PTL_MD_THRESH_INF = -1;
    public static final int PTL_MD_OP_PUT = 0x0001;
    public static final int PTL_MD_OP_GET = 0x0002;
    public static final int PTL_MD_MANAGE_REMOTE = 0x0004;
    public static final int PTL_MD_TRUNCATE = 0x0008;
    public static final int PTL_MD_ACK_DISABLE = 0x0010;
    public static final int PTL_MD_IOVEC = 0x0020;
    public static final int PTL_MD_MAX_SIZE = 0x0040;
    public static final int PTL_MD_EVENT_START_DISABLE = 0x0080;
    public static final int PTL_MD_EVENT_END_DISABLE = 0x0100;

    // ptl_event_kind_t.
    public static final int PTL_EVENT_GET_START = 0;
    public static final int PTL_EVENT_GET_END = 1;
    public static final int PTL_EVENT_PUT_START = 2;
    public static final int PTL_EVENT_PUT_END = 3;
    public static final int PTL_EVENT_GETPUT_START = 4;
    public static final int PTL_EVENT_GETPUT_END = 5;
    public static final int PTL_EVENT_REPLY_START = 6;
    public static final int PTL_EVENT_REPLY_END = 7;
    public static final int PTL_EVENT_SEND_START = 8;
    public static final int PTL_EVENT_SEND_END = 9;
    public static final int PTL_EVENT_ACK = 10;
    public static final int PTL_EVENT_UNLINK = 11;

    public static final int PTL_NI_OK = 0;
    public static final int PTL_TIME_FOREVER = -1;

    // The records in user memory.
    public static final int UK_PTL_MAGIC_NI = 0x494E5450;    // "PTNI"
    public static final int UK_PTL_MAGIC_ME = 0x454D5450;    // "PTME"
    public static final int UK_PTL_MAGIC_MD = 0x444D5450;    // "PTMD"
    public static final int UK_PTL_MAGIC_EQ = 0x51455450;    // "PTEQ"
    public static final int UK_PTL_MAGIC_FREED = 0x2D2D5450; // "PT--"
    public static final int UK_PTL_NI_VERSION = 1;
    public static final int UK_PTL_PT_ENTRIES = 64;
    public static final int UK_PTL_AC_ENTRIES = 32;

    private static final String[] RETURN_CODE_NAMES = {
        "PTL_OK", "PTL_AC_INDEX_INVALID", "PTL_EQ_DROPPED", "PTL_EQ_EMPTY", "PTL_EQ_INVALID", "PTL_FAIL",
        "PTL_HANDLE_INVALID", "PTL_IFACE_INVALID", "PTL_MD_ILLEGAL", "PTL_MD_INVALID", "PTL_MD_IN_USE",
        "PTL_MD_NO_UPDATE", "PTL_ME_INVALID", "PTL_ME_IN_USE", "PTL_ME_LIST_TOO_LONG", "PTL_NI_INVALID",
        "PTL_NO_INIT", "PTL_NO_SPACE", "PTL_PID_INVALID", "PTL_PROCESS_INVALID", "PTL_PT_FULL",
        "PTL_PT_INDEX_INVALID", "PTL_SEGV", "PTL_SR_INDEX_INVALID", "PTL_UNKNOWN_ERROR",
    };

    /** Every constant of this class by name, for the header comparison and for diagnostics. */
    public static Map<String, Long> all() {
        Map<String, Long> constants = new TreeMap<>();
        for (Field field : Ptl.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && field.getType() == int.class) {
                try {
                    constants.put(field.getName(), (long) field.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return constants;
    }

    /** The name of a return code ("PTL_MD_INVALID"), as {@code PtlErrorStr} gives it. */
    public static String errorName(int code) {
        return code >= 0 && code < RETURN_CODE_NAMES.length ? RETURN_CODE_NAMES[code] : "PTL_UNKNOWN_ERROR(" + code + ")";
    }
}
