package io.uniform.cpu.memory;

/** The kind of memory access being translated; the ordinal is used by the hart's TLB. */
public enum Access {
    READ,
    WRITE,
    EXECUTE
}
