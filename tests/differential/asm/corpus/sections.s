# Input section order inside output sections (GNU ld's default script)
  .globl _start
  .text
_start: nop
  .section .text.hot.x,"ax"
  addi a0,a0,2
  .section .text.startup,"ax"
  addi a0,a0,3
  .section .text.unlikely,"ax"
  addi a0,a0,4
  .section .text.b,"ax"
  addi a0,a0,5
  .section .sdata,"aw"
  .word 1
  .section .srodata,"a"
  .word 2
  .section .srodata.cst4,"aM",@progbits,4
  .word 3
