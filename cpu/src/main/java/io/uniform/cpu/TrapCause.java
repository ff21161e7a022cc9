package io.uniform.cpu;

/** The synchronous exceptions the hart raises, with their architectural {@code mcause} codes. */
public enum TrapCause {
    INSTRUCTION_ADDRESS_MISALIGNED(0),
    INSTRUCTION_ACCESS_FAULT(1),
    ILLEGAL_INSTRUCTION(2),
    BREAKPOINT(3),
    LOAD_ACCESS_FAULT(5),
    STORE_ACCESS_FAULT(7),
    ECALL_FROM_U(8),
    ECALL_FROM_M(11),
    INSTRUCTION_PAGE_FAULT(12),
    LOAD_PAGE_FAULT(13),
    STORE_PAGE_FAULT(15);

    private final int code;

    TrapCause(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
