/*
 * Program entry.  The kernel enters _start with sp at the Linux initial
 * stack (argc, argv, envp, auxv) and .bss already zeroed.
 */
    .section .text._start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* gp must be set without relaxation: relaxing would use gp itself. */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop

    /* Single thread, so the TLS block is the image's own .tdata/.tbss:
     * .tdata is writable in the data segment and the zeroed .tbss space
     * follows it (see uniform.ld).  RISC-V TLS variant I has no TCB in
     * front: tp points at the first TLS byte. */
    la      tp, __tls_base

    mv      a0, sp
    andi    sp, sp, -16         /* psABI stack alignment for the C code */
    li      s0, 0               /* terminate frame-pointer chains here */
    call    __uniform_start
    /* __uniform_start calls exit() and never returns. */
    .size _start, . - _start
