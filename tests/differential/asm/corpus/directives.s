# Directives, sections, symbols and expressions
    .file   "directives.s"
    .equ    UART, 0x10000000
    .set    COUNT, 10
    .equiv  EQV, 3
    SIZE = COUNT * 4
    .text
    .globl  _start
    .global main
    .local  helper
    .type   main, @function
_start:
main:
    li      a0, UART
    li      a1, SIZE
    li      a2, (1 << 12) | 0x34
    li      a3, ~0
    li      a4, -(COUNT + 2) * 3
    li      a5, 100 / 7 + 100 % 7
    li      a6, 0x10 >> 2 ^ 3
    li      a7, 'A'
    li      s2, '\n'
    li      s3, EQV
    move    a0, a1
    lui     a0, %hi(UART)
    addi    a0, a0, %lo(UART)
    lui     a1, %hi(table)
    addi    a1, a1, %lo(table)
    lw      a2, %lo(table)(a1)
    sw      a2, %lo(table + 4)(a1)
.Lpc:
    auipc   a3, %pcrel_hi(table)
    addi    a3, a3, %pcrel_lo(.Lpc)
2:  auipc   a4, %pcrel_hi(words)
    lw      a4, %pcrel_lo(2b)(a4)
    .word   . - _start
helper:
    j       helper
    .size   main, . - main
    .align  2
    .p2align 3
    .balign 16
    .balign 8, 0
    .option push
    .option norvc
    addi    a0, a0, 1
    .option pop
    addi    a0, a0, 1
    .option rvc
    .align  4

    .section .rodata
table:
    .word   1, 2, 3, -1
    .word   table, end_table - table
    .4byte  0x11223344
    .long   5, 6
    .int    -7
    .half   0x5566
    .short  -2
    .2byte  7
    .byte   1, 2, 0xff, -128
    .ascii  "abc", "def"
    .string "str\t\"q\"\\"
    .asciz  "\x41\102\0end"
end_table:
    .align  3
words:
    .word   0xcafebabe
    .section .rodata.extra
    .byte   9
    .zero   3
    .space  5
    .space  2, 0xaa
    .skip   3, 0x55

    .data
    .byte   1
    .align  2
dvar:
    .word   dvar
    .word   _start + 8
    .section .data.more
    .half   3
    .section .sdata,"aw",@progbits
small:
    .word   5

    .section .sbss,"aw",@nobits
sb: .zero 4
    .bss
    .align  3
bss1:
    .zero   10
    .space  6
