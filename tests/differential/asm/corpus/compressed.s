# Explicit c.* mnemonics and the automatic compression GNU as does with RVC
    .text
_start:
    c.addi4spn s0, sp, 4
    c.addi4spn a5, sp, 1020
    c.lw    a0, 0(a1)
    c.lw    s1, 124(a5)
    c.sw    a0, 64(s0)
    c.nop
    c.addi  a0, -32
    c.addi  sp, 31
    c.li    a5, -1
    c.li    t0, 31
    c.addi16sp sp, -512
    c.addi16sp sp, 496
    c.lui   a0, 1
    c.lui   t1, 0xfffff
    c.lui   s0, 31
    c.srli  a0, 1
    c.srli  s1, 31
    c.srai  a5, 7
    c.andi  a3, -32
    c.sub   s0, s1
    c.xor   a0, a1
    c.or    a2, a3
    c.and   a4, a5
1:  c.j     1b
    c.jal   1b
    c.beqz  a0, 1b
    c.bnez  s1, 2f
    c.slli  a0, 1
    c.slli  t6, 31
    c.lwsp  ra, 252(sp)
    c.lwsp  a0, 0(sp)
    c.jr    ra
    c.jr    t0
    c.mv    a0, t6
    c.ebreak
    c.jalr  a0
    c.add   t0, t1
    c.swsp  ra, 252(sp)
    c.swsp  zero, 4(sp)
2:
    # automatic compression
    addi    a0, a0, 1
    addi    a0, a0, 0
    addi    zero, zero, 0
    addi    sp, sp, -16
    addi    s0, sp, 8
    addi    a0, zero, 5
    addi    a0, a1, 0
    addi    a0, a0, 100
    add     a0, a0, a1
    add     a0, a1, a0
    add     a0, a0, 3
    add     a0, zero, a1
    add     a0, a1, a2
    mv      a0, a1
    mv      zero, a1
    lui     a0, 3
    lui     sp, 3
    lui     a0, 0xfffe0
    lui     a0, 32
    li      a0, 0
    li      a0, -32
    li      a0, 31
    li      a0, 32
    li      a0, 0x1f000
    li      a0, -4096
    and     s0, s0, s1
    and     s0, s1, s0
    and     s0, s0, 5
    andi    a5, a5, -1
    andi    a6, a6, -1
    or      a0, a0, a1
    or      a0, a1, a0
    xor     a2, a2, a3
    xor     a2, a3, a2
    sub     a4, a4, a5
    sub     a4, a5, a4
    slli    a0, a0, 3
    slli    a0, a1, 3
    slli    zero, zero, 3
    srli    s0, s0, 31
    srai    s1, s1, 1
    srli    a6, a6, 1
    sll     a0, a0, 2
    srl     a1, a1, 2
    sra     a2, a2, 2
    lw      a0, 0(sp)
    lw      a0, 256(sp)
    lw      zero, 0(sp)
    lw      a0, 4(a1)
    lw      a0, 128(a1)
    lw      a0, 2(a1)
    lw      a6, 4(a1)
    sw      a0, 0(sp)
    sw      zero, 8(sp)
    sw      a0, 8(a1)
    sw      a0, 124(a1)
    jr      a0
    jr      ra
    jalr    a0
    jalr    ra, 0(a0)
    ret
    ebreak
    nop
    beqz    a0, 2b
    bnez    a1, 2b
    beq     s0, zero, 2b
    bne     s0, x0, 2b
    beqz    a6, 2b
    j       2b
