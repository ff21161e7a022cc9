package io.uniform.cpu.memory;

/**
 * A kernel-side access to a virtual address that the address space does not allow. Kernels
 * catch it to fail a system call with EFAULT, or to kill the process; it never escapes them.
 */
public final class MemoryFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int address;
    private final Access access;

    public MemoryFault(int address, Access access) {
        super(String.format("%s of unmapped or protected address 0x%08x", access.name().toLowerCase(), address), null, false, false);
        this.address = address;
        this.access = access;
    }

    public int address() {
        return address;
    }

    public Access access() {
        return access;
    }
}
