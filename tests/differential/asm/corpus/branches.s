# Branch and jump relaxation: compressed when in range, 32-bit, or inverted branch + jal
    .text
    .globl _start
_start:
    beqz    a0, near
    bnez    s0, near
    beqz    a0, mid
    bnez    s0, mid
    beq     a0, a1, mid
    beqz    a0, far
    bnez    s1, far
    blt     a0, a1, far
    bgeu    a2, a3, far
    j       near
    j       mid
    j       far
    jal     far
    beqz    a0, other
    j       other
    call    other
    tail    other
1:  beqz    a0, 1b
    bnez    a0, 1f
    j       1f
1:  j       1b
near:
    nop
    .fill   100, 2, 0x0001
mid:
    nop
    .fill   1100, 4, 0x00000013
far:
    nop
    beqz    a0, _start
    bnez    s1, _start
    bge     a0, a1, _start
    j       _start
    bnez    s0, 2f
    .fill   120, 2, 0x0001
2:  bnez    s0, 2b
    beqz    s0, 3f
    .fill   127, 2, 0x0001
3:  beqz    s0, 3b
    beqz    s0, 4f
    .fill   128, 2, 0x0001
4:  beqz    s0, 4b
    j       5f
    .fill   1023, 2, 0x0001
5:  j       5b
    j       6f
    .fill   1024, 2, 0x0001
6:  j       6b

    .section .text.other, "ax", @progbits
other:
    ret
