# A complete program: prints to the virt UART and exits through the SiFive test device.
    .equ    UART_BASE, 0x10000000
    .equ    TEST_BASE, 0x100000
    .text
    .globl  _start
_start:
    la      sp, stack_top
    la      a0, message
    call    puts
    la      t0, counter
    lw      t1, 0(t0)
    addi    t1, t1, 1
    sw      t1, 0(t0)
    li      t0, TEST_BASE
    li      t1, 0x5555
    sw      t1, 0(t0)
1:  wfi
    j       1b

puts:
    li      t0, UART_BASE
2:  lbu     t1, 0(a0)
    beqz    t1, 3f
    sb      t1, 0(t0)
    addi    a0, a0, 1
    j       2b
3:  ret

    .section .rodata
message:
    .string "Hello from Rewind!\n"

    .data
    .align  2
counter:
    .word   41

    .bss
    .align  4
stack:
    .space  4096
stack_top:
