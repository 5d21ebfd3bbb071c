# Every pseudo-instruction
    .text
    .globl _start
_start:
    nop
    li      a0, 0
    li      a0, 1
    li      a0, -1
    li      a0, 2047
    li      a0, -2048
    li      a0, 2048
    li      a0, 0x12345678
    li      a0, 0x7fffffff
    li      a0, 0x80000000
    li      a0, 0xffffffff
    li      a0, -0x80000000
    li      a0, 0xdeadbeef
    li      t0, 0x1000
    li      t1, 0x12345000
    li      sp, 0x80001000
    li      zero, 7
    li      a0, 0x800
    li      a0, 0xfffff800
    li      a0, 0x1001
    la      a0, msg
    la      a1, msg + 4
    lla     a2, buf
    la      a0, 12
    la      a0, 0x12345678
    mv      a0, a1
    not     a0, a1
    neg     a0, a1
    seqz    a0, a1
    snez    a0, a1
    sltz    a0, a1
    sgtz    a0, a1
    sgt     a0, a1, a2
    sgtu    a0, a1, a2
    beqz    a0, 1f
    bnez    a0, 1f
    blez    a0, 1f
    bgez    a0, 1f
    bltz    a0, 1f
    bgtz    a0, 1f
    bgt     a0, a1, 1f
    ble     a0, a1, 1f
    bgtu    a0, a1, 1f
    bleu    a0, a1, 1f
1:  j       1b
    jal     1b
    jal     t0, 1b
    jr      a0
    jr      4(a0)
    jr      a0, 8
    jalr    a1
    jalr    8(a1)
    jalr    a1, 8
    jalr    t0, a1
    jalr    t0, 4(a1)
    jalr    t0, a1, 4
    ret
    call    func
    call    t0, func
    tail    func
    csrr    a0, mstatus
    csrw    mstatus, a0
    csrs    mie, a1
    csrc    mip, a2
    csrwi   mstatus, 8
    csrsi   mie, 31
    csrci   mip, 1
    csrw    mscratch, 3
    csrs    mscratch, 4
    csrc    mscratch, 5
    rdcycle a0
    rdtime  a1
    rdinstret a2
    rdcycleh a3
    rdtimeh a4
    rdinstreth a5
    fence
    fence   r, w
    fence.i
    unimp
    lw      a0, var
    lh      a1, var
    lhu     a1, var
    lb      a2, var
    lbu     a2, var
    sw      a0, var, t0
    sh      a0, var, t1
    sb      a0, var, t2
    ecall
    sbreak
    scall
func:
    ret

    .section .rodata
msg:    .asciz "hello"
    .data
    .align 2
var:    .word 42
    .bss
buf:    .zero 64
