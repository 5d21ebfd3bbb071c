/* Freestanding start-up for the examples: gp, stack, bss, trap vector, main, exit. */
	.file	"crt0.S"	/* a stable FILE symbol (not the temporary object name), for reproducible builds */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sw	zero, 0(t0)
	addi	t0, t0, 4
	j	1b
2:	la	t0, rt_unexpected_trap
	csrw	mtvec, t0
	call	main
	/* fall through: exit(main's return value) */

/* void exit(int code): write the SiFive test device at 0x100000, then halt. */
	.globl exit
	.type exit, @function
exit:
	csrw	mie, zero
	csrci	mstatus, 8
	li	t0, 0x5555
	beqz	a0, 3f
	slli	t0, a0, 16
	li	t1, 0x3333
	or	t0, t0, t1
3:	li	t1, 0x100000
	.globl rt_exit_store
rt_exit_store:
	sw	t0, 0(t1)
	/* Not reached on Rewind (the machine stops at the store); QEMU may still execute this. */
4:	wfi
	j	4b
	.size exit, .-exit

/* Any trap nobody expected: report mcause/mepc/mtval and exit with code 99. */
	.align 2
rt_unexpected_trap:
	csrr	a0, mcause
	csrr	a1, mepc
	csrr	a2, mtval
	la	sp, __stack_top
	call	rt_report_trap
	li	a0, 99
	j	exit
