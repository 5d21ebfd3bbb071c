# Every RV32I / M / Zifencei / system instruction, 32-bit encodings (.option norvc)
    .option norvc
    .text
    .globl _start
_start:
    lui     a0, 0x12345
    lui     t6, 0xfffff
    lui     x1, 0
    auipc   a1, 0x1
    auipc   s11, 0xfffff
    jal     ra, target
    jal     t0, target
    jal     zero, target
    jalr    ra, 0(a0)
    jalr    t1, -2048(s0)
    jalr    zero, 2047(t2)
    beq     a0, a1, target
    bne     s0, s1, target
    blt     t0, t1, target
    bge     a2, a3, target
    bltu    a4, a5, target
    bgeu    a6, a7, target
target:
    lb      a0, 0(sp)
    lh      a1, -1(a0)
    lw      a2, 2047(a1)
    lbu     a3, -2048(gp)
    lhu     a4, 100(tp)
    sb      a0, 0(sp)
    sh      a1, -1(a0)
    sw      a2, 2047(a1)
    addi    a0, a1, -2048
    slti    a0, a1, 2047
    sltiu   a0, a1, 1
    xori    a0, a1, -1
    ori     a0, a1, 0x7f
    andi    a0, a1, 0xff
    slli    a0, a1, 0
    slli    a0, a1, 31
    srli    a0, a1, 1
    srai    a0, a1, 31
    add     a0, a1, a2
    sub     s2, s3, s4
    sll     s5, s6, s7
    slt     s8, s9, s10
    sltu    s11, t3, t4
    xor     t5, t6, x0
    srl     x1, x2, x3
    sra     x4, x5, x6
    or      x7, x8, x9
    and     x10, x11, x12
    fence
    fence   rw, rw
    fence   i, o
    fence   iorw, w
    fence.tso
    fence.i
    ecall
    ebreak
    mret
    sret
    wfi
    sfence.vma
    sfence.vma a0
    sfence.vma a0, a1
    mul     a0, a1, a2
    mulh    a0, a1, a2
    mulhsu  a0, a1, a2
    mulhu   a0, a1, a2
    div     a0, a1, a2
    divu    a0, a1, a2
    rem     a0, a1, a2
    remu    a0, a1, a2
    csrrw   a0, mstatus, a1
    csrrs   a0, mepc, a1
    csrrc   a0, mcause, a1
    csrrwi  a0, mtvec, 31
    csrrsi  a0, 0x340, 0
    csrrci  zero, mie, 5
    lr.w    a0, (a1)
    sc.w    a0, a2, (a1)
    amoswap.w a0, a2, (a1)
    amoadd.w a0, a2, (a1)
    amoxor.w a0, a2, (a1)
    amoand.w a0, a2, (a1)
    amoor.w a0, a2, (a1)
    amomin.w a0, a2, (a1)
    amomax.w a0, a2, (a1)
    amominu.w a0, a2, (a1)
    amomaxu.w a0, a2, (a1)
    lr.w.aq a0, (a1)
    sc.w.rl a0, a2, (a1)
    amoadd.w.aqrl t0, t1, (t2)
    amoswap.w.aq t0, t1, (sp)
    amomaxu.w.rl t0, t1, 0(sp)
