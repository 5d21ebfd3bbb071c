# Fibonacci in plain RISC-V assembly (linked with the examples' runtime: crt0 calls main).
# Prints fib(0..30) computed iteratively, then fib(20) computed recursively, with the
# instructions the recursive version retired.
	.file	"fib.S"		# a stable FILE symbol, for reproducible builds
	.text
	.globl	main
main:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	sw	s2, 0(sp)
	li	s0, 0		# fib(i)
	li	s1, 1		# fib(i+1)
	li	s2, 0		# i
1:	mv	a0, s2
	call	print_dec
	la	a0, sep
	call	uart_puts
	mv	a0, s0
	call	print_dec
	li	a0, '\n'
	call	uart_putc
	add	t0, s0, s1
	mv	s0, s1
	mv	s1, t0
	addi	s2, s2, 1
	li	t1, 31
	blt	s2, t1, 1b

	csrr	s2, minstret
	li	a0, 20
	call	fib_rec
	mv	s0, a0
	csrr	t0, minstret
	sub	s2, t0, s2
	la	a0, rec_msg
	call	uart_puts
	mv	a0, s0
	call	print_dec
	li	a0, '\n'
	call	uart_putc
	la	a0, insn_msg
	mv	a1, s2
	call	print_kv

	li	a0, 0		# exit code 0 unless fib(20) is wrong
	li	t0, 6765
	beq	s0, t0, 2f
	li	a0, 1
2:	lw	ra, 12(sp)
	lw	s0, 8(sp)
	lw	s1, 4(sp)
	lw	s2, 0(sp)
	addi	sp, sp, 16
	ret

# a0 = fib(a0), the slow way
fib_rec:
	li	t0, 2
	blt	a0, t0, 3f
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	mv	s0, a0
	addi	a0, a0, -1
	call	fib_rec
	mv	s1, a0
	addi	a0, s0, -2
	call	fib_rec
	add	a0, a0, s1
	lw	ra, 12(sp)
	lw	s0, 8(sp)
	lw	s1, 4(sp)
	addi	sp, sp, 16
3:	ret

	.section .rodata
sep:	.string	": "
rec_msg:
	.string	"fib(20) recursively: "
insn_msg:
	.string	"  instructions"
