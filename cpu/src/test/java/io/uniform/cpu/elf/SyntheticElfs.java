package io.uniform.cpu.elf;

import static io.uniform.cpu.elf.TestElfBuilder.PT_LOAD;
import static io.uniform.cpu.elf.TestElfBuilder.R;
import static io.uniform.cpu.elf.TestElfBuilder.SHF_ALLOC;
import static io.uniform.cpu.elf.TestElfBuilder.SHF_EXECINSTR;
import static io.uniform.cpu.elf.TestElfBuilder.SHF_WRITE;
import static io.uniform.cpu.elf.TestElfBuilder.SHN_ABS;
import static io.uniform.cpu.elf.TestElfBuilder.SHT_NOBITS;
import static io.uniform.cpu.elf.TestElfBuilder.SHT_PROGBITS;
import static io.uniform.cpu.elf.TestElfBuilder.STB_GLOBAL;
import static io.uniform.cpu.elf.TestElfBuilder.STB_LOCAL;
import static io.uniform.cpu.elf.TestElfBuilder.STT_FILE;
import static io.uniform.cpu.elf.TestElfBuilder.STT_FUNC;
import static io.uniform.cpu.elf.TestElfBuilder.STT_NOTYPE;
import static io.uniform.cpu.elf.TestElfBuilder.STT_SECTION;
import static io.uniform.cpu.elf.TestElfBuilder.W;
import static io.uniform.cpu.elf.TestElfBuilder.X;

import java.util.List;

/** Executables shaped like what real linkers produce, built with {@link TestElfBuilder}. */
final class SyntheticElfs {
    /** The range user programs may occupy (Puma and Linux kernels). */
    static final long USER_LOW = 0x1000;
    static final long USER_HIGH = 0xC000_0000L;
    /** The bare machine's RAM window. */
    static final long BARE_LOW = 0x8000_0000L;
    static final long BARE_HIGH = 0x9000_0000L;

    static final byte[] TEXT = {0x13, 0x05, 0x00, 0x00, (byte) 0x93, 0x08, (byte) 0xd0, 0x05, 0x73, 0, 0, 0};
    static final byte[] DATA = {42, 0, 0, 0};

    private static final int PT_GNU_STACK = 0x6474e551;
    private static final int PT_RISCV_ATTRIBUTES = 0x70000003;

    private SyntheticElfs() {
    }

    /**
     * What riscv64-unknown-elf-gcc -Ttext=0x10000 links: one RX LOAD from file offset 0, so it
     * maps the ELF headers on the page below .text, and a RW LOAD with .data and .bss. The
     * attributes header has file size 0x28 and memory size 0, which only PT_LOAD forbids.
     */
    static TestElfBuilder gcc() {
        return new TestElfBuilder()
                .entry(0x10000)
                .programHeader(PT_RISCV_ATTRIBUTES, 0x1010, 0, 0x28, 0, R, 1)
                .programHeader(PT_LOAD, 0, 0xf000, 0x100c, 0x100c, R | X, 0x1000)
                .programHeader(PT_LOAD, 0x100c, 0x1100c, 4, 0x44, R | W, 0x1000)
                .put(0x1000, TEXT)
                .put(0x100c, DATA)
                .put(0x1010, new byte[0x28])
                .section(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x10000, 0x1000, 0xc)
                .section(".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x1100c, 0x100c, 4)
                .section(".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x11010, 0x1010, 0x40)
                .section(".riscv.attributes", 0x70000003, 0, 0, 0x1010, 0x28)
                .symbol("t.S", 0, STB_LOCAL, STT_FILE, SHN_ABS)
                .symbol("", 0x10000, STB_LOCAL, STT_SECTION, 1)
                .symbol("val", 0x1100c, STB_LOCAL, STT_NOTYPE, 2)
                .symbol("_start", 0x10000, STB_GLOBAL, STT_FUNC, 1)
                .symbol("buf", 0x11010, STB_GLOBAL, STT_NOTYPE, 3)
                .symbol("__global_pointer$", 0x11800, STB_GLOBAL, STT_NOTYPE, SHN_ABS)
                .symbol("undefined_weak", 0, STB_GLOBAL, STT_NOTYPE, 0);
    }

    /** gcc also emits an empty LOAD (file and memory size 0) at address 0, below any allowed range. */
    static TestElfBuilder gccWithEmptyLoad() {
        return gcc().programHeader(PT_LOAD, 0, 0, 0, 0, R, 0x1000);
    }

    /**
     * What ld.lld -Ttext=0x10100 links: a R LOAD holding just the ELF and program headers, then
     * the RX .text on the same page, then .data and a bss spanning three pages.
     */
    static TestElfBuilder lld() {
        return new TestElfBuilder()
                .entry(0x10100)
                .programHeader(PT_LOAD, 0, 0x10000, 0xb4, 0xb4, R, 0x1000)
                .load(R | X, 0x10100, 0x100, TEXT, TEXT.length)
                .load(R | W, 0x11110, 0x110, DATA, 0x2000)
                .programHeader(PT_GNU_STACK, 0, 0, 0, 0, R | W, 0)
                .section(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x10100, 0x100, TEXT.length)
                .section(".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x11110, 0x110, DATA.length)
                .section(".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0x11114, 0x114, 0x2000 - DATA.length)
                .symbol("_start", 0x10100, STB_GLOBAL, STT_FUNC, 1)
                .symbol("counter", 0x11110, STB_GLOBAL, STT_NOTYPE, 2);
    }

    /** A bare-metal test at 0x80000000 with the tohost/fromhost words the harness polls. */
    static TestElfBuilder bare() {
        return new TestElfBuilder()
                .entry(0x8000_0000)
                .load(R | X, 0x8000_0000, 0x1000, TEXT, TEXT.length)
                .load(R | W, 0x8000_1000, 0x2000, new byte[8], 0x10)
                .section(".text.init", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x8000_0000, 0x1000, TEXT.length)
                .section(".tohost", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x8000_1000, 0x2000, 8)
                .symbol("_start", 0x8000_0000, STB_GLOBAL, STT_NOTYPE, 1)
                .symbol("tohost", 0x8000_1000, STB_GLOBAL, STT_NOTYPE, 2)
                .symbol("fromhost", 0x8000_1008, STB_GLOBAL, STT_NOTYPE, 2);
    }

    /** The lld shape without a section header table, as llvm-objcopy --strip-sections leaves it. */
    static TestElfBuilder stripped() {
        return new TestElfBuilder()
                .entry(0x10100)
                .programHeader(PT_LOAD, 0, 0x10000, 0x94, 0x94, R, 0x1000)
                .load(R | X, 0x10100, 0x100, TEXT, TEXT.length)
                .load(R | W, 0x11110, 0x110, DATA, 0x2000);
    }

    /** Every shape above, with the address range its kernel would allow. */
    static List<ElfSeed> all() {
        return List.of(
                new ElfSeed("gcc", gcc().build(), USER_LOW, USER_HIGH, false),
                new ElfSeed("gcc-empty-load", gccWithEmptyLoad().build(), USER_LOW, USER_HIGH, false),
                new ElfSeed("lld", lld().build(), USER_LOW, USER_HIGH, false),
                new ElfSeed("stripped", stripped().build(), USER_LOW, USER_HIGH, false),
                new ElfSeed("bare", bare().build(), BARE_LOW, BARE_HIGH, true));
    }
}
