/*
 * RV32IM instruction edge cases, executed through inline asm so the compiler
 * cannot fold them.  Each result is printed and compared with the value the
 * ISA specification mandates.
 */
#include <stdint.h>
#include <stdio.h>

static int failures;

static void check(const char *what, uint32_t got, uint32_t expected)
{
    printf("%-28s = 0x%08x", what, (unsigned)got);
    if (got != expected) {
        printf("  MISMATCH, expected 0x%08x", (unsigned)expected);
        failures++;
    }
    printf("\n");
}

/* Register-register and register-immediate forms. */
#define RR(op, a, b) ({ uint32_t r_; \
    __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"((uint32_t)(a)), "r"((uint32_t)(b))); r_; })
#define RI(op, a, imm) ({ uint32_t r_; \
    __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"((uint32_t)(a)), "i"(imm)); r_; })
/* Load of the given width from any (also misaligned) address. */
#define LOAD(op, p) ({ uint32_t r_; \
    __asm__ volatile(op " %0, 0(%1)" : "=r"(r_) : "r"(p) : "memory"); r_; })
#define STORE(op, p, v) \
    __asm__ volatile(op " %0, 0(%1)" : : "r"((uint32_t)(v)), "r"(p) : "memory")

static void x0_writes(void)
{
    uint32_t r;
    __asm__ volatile("addi x0, x0, 5\n\tlui x0, 0x12345\n\tmv %0, x0" : "=r"(r));
    check("x0 after addi/lui to x0", r, 0);
    __asm__ volatile("li %0, 7\n\tadd %0, x0, x0" : "=&r"(r));
    check("add r, x0, x0", r, 0);
}

static void load_sign_extension(void)
{
    static volatile uint8_t bytes[4] = { 0x80, 0xff, 0x7f, 0x01 };
    const volatile uint8_t *p = bytes;
    check("lb 0x80", LOAD("lb", p), 0xffffff80);
    check("lbu 0x80", LOAD("lbu", p), 0x00000080);
    check("lb 0x7f", LOAD("lb", p + 2), 0x0000007f);
    check("lh 0xff80", LOAD("lh", p), 0xffffff80);
    check("lhu 0xff80", LOAD("lhu", p), 0x0000ff80);
    check("lh 0x017f", LOAD("lh", p + 2), 0x0000017f);
    check("lw", LOAD("lw", p), 0x017fff80);
}

static void shifts(void)
{
    /* Only the low five bits of a register shift amount count. */
    check("sll 1 << 33", RR("sll", 1, 33), 2);
    check("srl 0x80000000 >> 35", RR("srl", 0x80000000u, 35), 0x10000000);
    check("sra 0x80000000 >> 31", RR("sra", 0x80000000u, 31), 0xffffffff);
    check("sra 0x80000000 >> 32", RR("sra", 0x80000000u, 32), 0x80000000);
    check("sll by -1 (31)", RR("sll", 1, -1), 0x80000000);
    check("slli 31", RI("slli", 3, 31), 0x80000000);
    check("srli 4", RI("srli", 0xf0000000u, 4), 0x0f000000);
    check("srai 4", RI("srai", 0xf0000000u, 4), 0xff000000);
}

static void division(void)
{
    const uint32_t int_min = 0x80000000u;
    check("div 7 / 0", RR("div", 7, 0), 0xffffffff);
    check("divu 7 / 0", RR("divu", 7, 0), 0xffffffff);
    check("rem 7 % 0", RR("rem", 7, 0), 7);
    check("remu 7 % 0", RR("remu", 7, 0), 7);
    check("rem -7 % 0", RR("rem", -7, 0), 0xfffffff9);
    check("div INT_MIN / -1", RR("div", int_min, -1), int_min);
    check("rem INT_MIN % -1", RR("rem", int_min, -1), 0);
    check("div -7 / 2", RR("div", -7, 2), 0xfffffffd);
    check("rem -7 % 2", RR("rem", -7, 2), 0xffffffff);
    check("div 7 / -2", RR("div", 7, -2), 0xfffffffd);
    check("rem 7 % -2", RR("rem", 7, -2), 1);
    check("divu 0xfffffff9 / 2", RR("divu", -7, 2), 0x7ffffffc);
    check("remu 0xfffffff9 % 2", RR("remu", -7, 2), 1);
}

static void multiplication(void)
{
    const uint32_t int_min = 0x80000000u;
    check("mul", RR("mul", 0x12345678, 0x9abcdef0u), 0x242d2080);
    check("mulhu", RR("mulhu", 0x12345678, 0x9abcdef0u), 0x0b00ea4e);
    check("mulh (+ * -)", RR("mulh", 0x12345678, 0x9abcdef0u), 0xf8cc93d6);
    check("mulhsu (- * u)", RR("mulhsu", 0xedcba988u, 0x9abcdef0u), 0xf4ff15b1);
    check("mulh -1 * -1", RR("mulh", -1, -1), 0);
    check("mulh INT_MIN * INT_MIN", RR("mulh", int_min, int_min), 0x40000000);
    check("mulhu max * max", RR("mulhu", -1, -1), 0xfffffffe);
    check("mulhsu -1 * 0xffffffff", RR("mulhsu", -1, -1), 0xffffffff);
    check("mulhsu INT_MIN * 0xffffffff", RR("mulhsu", int_min, -1), 0x80000000);
    check("mul INT_MIN * -1", RR("mul", int_min, -1), int_min);
}

static void comparisons(void)
{
    check("slt -1 < 1", RR("slt", -1, 1), 1);
    check("sltu 0xffffffff < 1", RR("sltu", -1, 1), 0);
    check("slt 1 < 1", RR("slt", 1, 1), 0);
    check("slti -5 < -4", RI("slti", -5, -4), 1);
    check("sltiu 5 < 0xffffffff", RI("sltiu", 5, -1), 1);
    check("sltiu 0 < 1 (seqz)", RI("sltiu", 0, 1), 1);
    check("sltu x0 < 3 (snez)", RR("sltu", 0, 3), 1);
}

static void misaligned_access(void)
{
    static volatile uint8_t buf[12] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                        0x88, 0x99, 0xaa, 0xbb };
    volatile uint8_t *p = buf;
    check("lw at +1", LOAD("lw", p + 1), 0x44332211);
    check("lw at +3", LOAD("lw", p + 3), 0x66554433);
    check("lh at +1", LOAD("lh", p + 1), 0x00002211);
    check("lh at +7 (negative)", LOAD("lh", p + 7), 0xffff8877);
    check("lhu at +9", LOAD("lhu", p + 9), 0x0000aa99);
    STORE("sw", p + 5, 0xdeadbeefu);
    check("sw at +5, lw at +4", LOAD("lw", p + 4), 0xadbeef44);
    check("sw at +5, lw at +8", LOAD("lw", p + 8), 0xbbaa99de);
    STORE("sh", p + 1, 0xcafeu);
    check("sh at +1, lw at +0", LOAD("lw", p), 0x33cafe00);
}

static void jalr_low_bit(void)
{
    uint32_t target, link, result;
    /* jalr clears bit 0 of rs1 + imm; the link is the jalr's address + 4. */
    __asm__ volatile(
        "la %[target], 2f\n\t"
        "addi %[target], %[target], 1\n\t"
        "1: jalr %[link], 0(%[target])\n\t"
        "li %[result], 0xbad\n\t"
        "j 3f\n"
        "2: li %[result], 0x600d\n"
        "3: la %[target], 1b\n\t"
        "sub %[link], %[link], %[target]"
        : [target] "=&r"(target), [link] "=&r"(link), [result] "=&r"(result));
    check("jalr to odd rs1: landed", result, 0x600d);
    check("jalr to odd rs1: link - pc", link, 4);
    __asm__ volatile(
        "la %[target], 2f\n\t"
        "jalr %[link], 1(%[target])\n\t"
        "li %[result], 0xbad\n\t"
        "j 3f\n"
        "2: li %[result], 0x600d\n"
        "3:"
        : [target] "=&r"(target), [link] "=&r"(link), [result] "=&r"(result));
    check("jalr with odd imm: landed", result, 0x600d);
}

static void upper_immediates(void)
{
    uint32_t r, pc;
    __asm__ volatile("lui %0, 0xfffff" : "=r"(r));
    check("lui 0xfffff", r, 0xfffff000);
    __asm__ volatile("1: auipc %0, 0x1\n\tla %1, 1b" : "=&r"(r), "=&r"(pc));
    check("auipc 1 - pc", r - pc, 0x1000);
    check("add overflow wraps", RR("add", 0x7fffffff, 1), 0x80000000);
    check("sub underflow wraps", RR("sub", 0, 1), 0xffffffff);
}

int main(void)
{
    x0_writes();
    load_sign_extension();
    shifts();
    division();
    multiplication();
    comparisons();
    misaligned_access();
    jalr_low_bit();
    upper_immediates();
    if (failures) {
        printf("FAIL insn_edge %d mismatches\n", failures);
        return 1;
    }
    printf("PASS insn_edge\n");
    return 0;
}
