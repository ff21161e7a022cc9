.globl _start
.text
_start: la a0, buf
  li a7, 93
  ecall
.data
val: .word 42
.bss
buf: .space 64
