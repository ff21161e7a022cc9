package io.uniform.linux;

import io.uniform.cpu.memory.PhysicalMemory;
import io.uniform.linux.memory.MappingException;
import io.uniform.linux.memory.PagedAddressSpace;
import io.uniform.process.Errno;

/**
 * brk, mmap2, munmap and mprotect of {@link Linux}. Only private anonymous memory is mapped:
 * a file mapping is ENODEV and shared anonymous memory EINVAL (see ARCHITECTURE.md).
 */
final class MemoryCalls {
    private MemoryCalls() {}

    private static final int MAP_TYPE = 0x3;
    private static final int MAP_PRIVATE = 0x2;
    private static final int MAP_FIXED = 0x10;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_FIXED_NOREPLACE = 0x10_0000;
    private static final int PROT_ALL = PagedAddressSpace.PROT_READ | PagedAddressSpace.PROT_WRITE | PagedAddressSpace.PROT_EXEC;
    private static final long USER_END = Integer.toUnsignedLong(PagedAddressSpace.USER_END);
    private static final int ENODEV = 19;

    /** brk(2): the new break, or the old one when the request cannot be met (Linux's convention). */
    static int brk(Task task, int requested) {
        if (Integer.compareUnsigned(requested, task.heapStart) < 0) {
            return task.programBreak;
        }
        long oldEnd = pageUp(Integer.toUnsignedLong(task.programBreak));
        long newEnd = pageUp(Integer.toUnsignedLong(requested));
        try {
            if (newEnd > oldEnd) {
                if (newEnd > USER_END || !task.space.isFree((int) oldEnd, (int) (newEnd - oldEnd))) {
                    return task.programBreak;
                }
                task.space.map((int) oldEnd, (int) (newEnd - oldEnd), PagedAddressSpace.PROT_READ | PagedAddressSpace.PROT_WRITE);
            } else if (newEnd < oldEnd) {
                task.space.unmap((int) newEnd, (int) (oldEnd - newEnd));
            }
        } catch (MappingException e) {
            return task.programBreak;
        }
        task.programBreak = requested;
        return requested;
    }

    static int mmap2(Task task, int address, int length, int protection, int flags, int fd, int pageOffset)
            throws MappingException {
        if ((protection & ~PROT_ALL) != 0 || (flags & MAP_TYPE) == 0 || length == 0) {
            return -Errno.EINVAL;
        }
        if ((flags & MAP_ANONYMOUS) == 0) {
            return -ENODEV;
        }
        if ((flags & MAP_TYPE) != MAP_PRIVATE) {
            return -Errno.EINVAL;
        }
        long size = pageUp(Integer.toUnsignedLong(length));
        if (size > USER_END) {
            return -Errno.ENOMEM;
        }
        boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
        if (fixed) {
            if ((address & PhysicalMemory.PAGE_MASK) != 0) {
                return -Errno.EINVAL;
            }
            if (Integer.compareUnsigned(address, Linux.LOAD_BASE) < 0) {
                return -Errno.EPERM; // below Linux's mmap_min_addr
            }
            if (Integer.toUnsignedLong(address) + size > USER_END) {
                return -Errno.ENOMEM;
            }
            if ((flags & MAP_FIXED) == 0 && !task.space.isFree(address, (int) size)) {
                return -Errno.EEXIST;
            }
            task.space.map(address, (int) size, protection);
            return address;
        }
        int hint = address & ~PhysicalMemory.PAGE_MASK;
        if (Integer.compareUnsigned(hint, Linux.LOAD_BASE) >= 0 && Integer.toUnsignedLong(hint) + size <= USER_END
                && task.space.isFree(hint, (int) size)) {
            task.space.map(hint, (int) size, protection);
            return hint;
        }
        return task.space.mapAnywhere((int) size, protection, task.mmapBase);
    }

    static int munmap(Task task, int address, int length) throws MappingException {
        if ((address & PhysicalMemory.PAGE_MASK) != 0 || length == 0) {
            return -Errno.EINVAL;
        }
        long size = pageUp(Integer.toUnsignedLong(length));
        if (Integer.toUnsignedLong(address) + size > USER_END) {
            return -Errno.EINVAL;
        }
        task.space.unmap(address, (int) size);
        return 0;
    }

    static int mprotect(Task task, int address, int length, int protection) throws MappingException {
        if ((address & PhysicalMemory.PAGE_MASK) != 0 || (protection & ~PROT_ALL) != 0) {
            return -Errno.EINVAL;
        }
        if (length == 0) {
            return 0;
        }
        long size = pageUp(Integer.toUnsignedLong(length));
        if (Integer.toUnsignedLong(address) + size > USER_END) {
            return -Errno.ENOMEM;
        }
        task.space.protect(address, (int) size, protection);
        return 0;
    }

    private static long pageUp(long address) {
        return (address + PhysicalMemory.PAGE_MASK) & ~(long) PhysicalMemory.PAGE_MASK;
    }
}
