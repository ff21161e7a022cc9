package io.uniform.portals;

import java.util.List;

/**
 * The memory layouts of the Portals structures, once: the C API's value types and uniform's
 * records in user memory ({@code guest/include/portals.h} describes the same, with a
 * {@code _Static_assert} for every offset below; {@code HeaderParityTest} compares the two).
 * RV32 ilp32: little-endian, natural alignment, 64-bit fields 8-aligned. Each structure is a
 * class of {@link Field} constants named after the C members; {@code at(base)} is a member's
 * address in a record at {@code base}.
 */
public final class Layout {
    private Layout() {
    }

    /** One member of a C structure: its C name, offset and size in bytes. */
    public record Field(String cName, int offset, int size) {
        public int at(int base) {
            return base + offset;
        }
    }

    /** A C structure: its type as the header names it, its size, its members in order. */
    public record Struct(String cType, int size, List<Field> fields) {
        public Struct {
            fields = List.copyOf(fields);
        }

        static Struct of(String cType, int size, Field... fields) {
            return new Struct(cType, size, List.of(fields));
        }
    }

    /** Every structure the header describes. */
    public static List<Struct> all() {
        return List.of(ProcessIdT.STRUCT, NiLimitsT.STRUCT, MdT.STRUCT, EventT.STRUCT,
                PtEntry.STRUCT, AcEntry.STRUCT, Ni.STRUCT, MeRec.STRUCT, MdRec.STRUCT, EqRec.STRUCT);
    }


    /** {@code ptl_process_id_t}. */
    public static final class ProcessIdT {
        private ProcessIdT() {
        }

        public static final Field NID = new Field("nid", 0, 4);
        public static final Field PID = new Field("pid", 4, 4);
        public static final int SIZE = 8;
        public static final Struct STRUCT = Struct.of("ptl_process_id_t", SIZE, NID, PID);
    }

    /** {@code ptl_ni_limits_t}: eight {@code int}s. */
    public static final class NiLimitsT {
        private NiLimitsT() {
        }

        public static final Field MAX_MES = new Field("max_mes", 0, 4);
        public static final Field MAX_MDS = new Field("max_mds", 4, 4);
        public static final Field MAX_EQS = new Field("max_eqs", 8, 4);
        public static final Field MAX_AC_INDEX = new Field("max_ac_index", 12, 4);
        public static final Field MAX_PT_INDEX = new Field("max_pt_index", 16, 4);
        public static final Field MAX_MD_IOVECS = new Field("max_md_iovecs", 20, 4);
        public static final Field MAX_ME_LIST = new Field("max_me_list", 24, 4);
        public static final Field MAX_GETPUT_MD = new Field("max_getput_md", 28, 4);
        public static final int SIZE = 32;
        public static final Struct STRUCT = Struct.of("ptl_ni_limits_t", SIZE,
                MAX_MES, MAX_MDS, MAX_EQS, MAX_AC_INDEX, MAX_PT_INDEX, MAX_MD_IOVECS, MAX_ME_LIST, MAX_GETPUT_MD);
    }

    /** {@code ptl_md_t}. */
    public static final class MdT {
        private MdT() {
        }

        public static final Field START = new Field("start", 0, 4);
        public static final Field LENGTH = new Field("length", 8, 8);
        public static final Field THRESHOLD = new Field("threshold", 16, 4);
        public static final Field MAX_SIZE = new Field("max_size", 24, 8);
        public static final Field OPTIONS = new Field("options", 32, 4);
        public static final Field USER_PTR = new Field("user_ptr", 36, 4);
        public static final Field EQ_HANDLE = new Field("eq_handle", 40, 4);
        public static final int SIZE = 48;
        public static final Struct STRUCT = Struct.of("ptl_md_t", SIZE,
                START, LENGTH, THRESHOLD, MAX_SIZE, OPTIONS, USER_PTR, EQ_HANDLE);
    }

    /** {@code ptl_event_t}. */
    public static final class EventT {
        private EventT() {
        }

        public static final Field TYPE = new Field("type", 0, 4);
        public static final Field INITIATOR = new Field("initiator", 4, ProcessIdT.SIZE);
        public static final Field UID = new Field("uid", 12, 4);
        public static final Field JID = new Field("jid", 16, 4);
        public static final Field PT_INDEX = new Field("pt_index", 20, 4);
        public static final Field MATCH_BITS = new Field("match_bits", 24, 8);
        public static final Field RLENGTH = new Field("rlength", 32, 8);
        public static final Field MLENGTH = new Field("mlength", 40, 8);
        public static final Field OFFSET = new Field("offset", 48, 8);
        public static final Field MD_HANDLE = new Field("md_handle", 56, 4);
        public static final Field MD = new Field("md", 64, MdT.SIZE);
        public static final Field HDR_DATA = new Field("hdr_data", 112, 8);
        public static final Field LINK = new Field("link", 120, 4);
        public static final Field NI_FAIL_TYPE = new Field("ni_fail_type", 124, 4);
        public static final Field SEQUENCE = new Field("sequence", 128, 4);
        public static final int SIZE = 136;
        public static final Struct STRUCT = Struct.of("ptl_event_t", SIZE,
                TYPE, INITIATOR, UID, JID, PT_INDEX, MATCH_BITS, RLENGTH, MLENGTH, OFFSET, MD_HANDLE, MD, HDR_DATA,
                LINK, NI_FAIL_TYPE, SEQUENCE);
    }

    /** {@code struct uk_ptl_pt_entry}: one portal table entry, the ends of its match list. */
    public static final class PtEntry {
        private PtEntry() {
        }

        public static final Field HEAD = new Field("head", 0, 4);
        public static final Field TAIL = new Field("tail", 4, 4);
        public static final int SIZE = 8;
        public static final Struct STRUCT = Struct.of("struct uk_ptl_pt_entry", SIZE, HEAD, TAIL);
    }

    /** {@code struct uk_ptl_ac_entry}: one access control entry. */
    public static final class AcEntry {
        private AcEntry() {
        }

        public static final Field MATCH_ID = new Field("match_id", 0, ProcessIdT.SIZE);
        public static final Field UID = new Field("uid", 8, 4);
        public static final Field JID = new Field("jid", 12, 4);
        public static final Field PT_INDEX = new Field("pt_index", 16, 4);
        public static final Field ENABLED = new Field("enabled", 20, 4);
        public static final int SIZE = 24;
        public static final Struct STRUCT = Struct.of("struct uk_ptl_ac_entry", SIZE,
                MATCH_ID, UID, JID, PT_INDEX, ENABLED);
    }

    /** {@code struct uk_ptl_ni}: the network interface block, whose address is the NI handle. */
    public static final class Ni {
        private Ni() {
        }

        public static final Field MAGIC = new Field("magic", 0, 4);
        public static final Field VERSION = new Field("version", 4, 4);
        public static final Field ID = new Field("id", 8, ProcessIdT.SIZE);
        public static final Field UID = new Field("uid", 16, 4);
        public static final Field JID = new Field("jid", 20, 4);
        public static final Field LIMITS = new Field("limits", 24, NiLimitsT.SIZE);
        public static final Field ME_COUNT = new Field("me_count", 56, 4);
        public static final Field MD_COUNT = new Field("md_count", 60, 4);
        public static final Field EQ_COUNT = new Field("eq_count", 64, 4);
        public static final Field EPOCH = new Field("epoch", 68, 4);
        public static final Field STATUS = new Field("status", 72, 8 * Ptl.UK_PTL_SR_COUNT);
        public static final Field PT = new Field("pt", 136, PtEntry.SIZE * Ptl.UK_PTL_PT_ENTRIES);
        public static final Field AC = new Field("ac", 648, AcEntry.SIZE * Ptl.UK_PTL_AC_ENTRIES);
        public static final int SIZE = 1416;
        public static final Struct STRUCT = Struct.of("struct uk_ptl_ni", SIZE,
                MAGIC, VERSION, ID, UID, JID, LIMITS, ME_COUNT, MD_COUNT, EQ_COUNT, EPOCH, STATUS, PT, AC);

        /** The address of portal table entry {@code index} of the NI block at {@code ni}. */
        public static int ptEntry(int ni, int index) {
            return PT.at(ni) + index * PtEntry.SIZE;
        }

        /** The address of access control entry {@code index} of the NI block at {@code ni}. */
        public static int acEntry(int ni, int index) {
            return AC.at(ni) + index * AcEntry.SIZE;
        }

        /** The address of status register {@code index} of the NI block at {@code ni}. */
        public static int status(int ni, int index) {
            return STATUS.at(ni) + index * 8;
        }
    }

    /** {@code struct uk_ptl_me_rec}: a match entry, whose address is its handle. */
    public static final class MeRec {
        private MeRec() {
        }

        public static final Field MAGIC = new Field("magic", 0, 4);
        public static final Field NI = new Field("ni", 4, 4);
        public static final Field PT_INDEX = new Field("pt_index", 8, 4);
        public static final Field UNLINK_OP = new Field("unlink_op", 12, 4);
        public static final Field NEXT = new Field("next", 16, 4);
        public static final Field PREV = new Field("prev", 20, 4);
        public static final Field MD = new Field("md", 24, 4);
        public static final Field NI_EPOCH = new Field("ni_epoch", 28, 4);
        public static final Field MATCH_ID = new Field("match_id", 32, ProcessIdT.SIZE);
        public static final Field MATCH_BITS = new Field("match_bits", 40, 8);
        public static final Field IGNORE_BITS = new Field("ignore_bits", 48, 8);
        public static final int SIZE = 56;
        public static final Struct STRUCT = Struct.of("struct uk_ptl_me_rec", SIZE,
                MAGIC, NI, PT_INDEX, UNLINK_OP, NEXT, PREV, MD, NI_EPOCH, MATCH_ID, MATCH_BITS, IGNORE_BITS);
    }

    /** {@code struct uk_ptl_md_rec}: a memory descriptor, whose address is its handle. */
    public static final class MdRec {
        private MdRec() {
        }

        public static final Field MAGIC = new Field("magic", 0, 4);
        public static final Field NI = new Field("ni", 4, 4);
        public static final Field ME = new Field("me", 8, 4);
        public static final Field UNLINK_OP = new Field("unlink_op", 12, 4);
        public static final Field LOCAL_OFFSET = new Field("local_offset", 16, 8);
        public static final Field NI_EPOCH = new Field("ni_epoch", 24, 4);
        public static final Field RESERVED = new Field("reserved", 28, 4);
        public static final Field MD = new Field("md", 32, MdT.SIZE);
        public static final int SIZE = 80;
        public static final Struct STRUCT = Struct.of("struct uk_ptl_md_rec", SIZE,
                MAGIC, NI, ME, UNLINK_OP, LOCAL_OFFSET, NI_EPOCH, RESERVED, MD);

        /** The address of member {@code field} of the {@code ptl_md_t} inside the record at {@code md}. */
        public static int md(int md, Field field) {
            return field.at(MD.at(md));
        }
    }

    /** {@code struct uk_ptl_eq_rec}: an event queue header, followed by its ring of events. */
    public static final class EqRec {
        private EqRec() {
        }

        public static final Field MAGIC = new Field("magic", 0, 4);
        public static final Field NI = new Field("ni", 4, 4);
        public static final Field COUNT = new Field("count", 8, 4);
        public static final Field HANDLER = new Field("handler", 12, 4);
        public static final Field WRITE_SEQ = new Field("write_seq", 16, 4);
        public static final Field WRITE_SLOT = new Field("write_slot", 20, 4);
        public static final Field READ_SEQ = new Field("read_seq", 24, 4);
        public static final Field READ_SLOT = new Field("read_slot", 28, 4);
        public static final Field DROPPED = new Field("dropped", 32, 4);
        public static final Field NI_EPOCH = new Field("ni_epoch", 36, 4);
        public static final Field EVENTS = new Field("events", 40, 0);
        public static final int SIZE = 40;
        public static final Struct STRUCT = Struct.of("struct uk_ptl_eq_rec", SIZE,
                MAGIC, NI, COUNT, HANDLER, WRITE_SEQ, WRITE_SLOT, READ_SEQ, READ_SLOT, DROPPED, NI_EPOCH, EVENTS);

        /** The address of ring slot {@code slot} of the event queue at {@code eq}. */
        public static int slot(int eq, int slot) {
            return EVENTS.at(eq) + slot * EventT.SIZE;
        }
    }
}
