# Squares: a running sum of i*i kept in memory (`total`), with a report every 2^20 steps.
# Plain RISC-V assembly, no runtime: Rewind assembles it in the browser.
# Try: a breakpoint on the `sw` line, a watchpoint on `total` (Memory panel), reverse continue.
	.equ	UART, 0x10000000	# NS16550A transmit register
	.equ	TEST, 0x100000		# SiFive test device: 0x5555 = exit 0
	.equ	STEPS, 0x10000000	# 2^28 steps, about 2 billion instructions

	.text
	.globl	_start
_start:
	la	sp, stack_top
	la	a0, banner
	call	puts
	li	s0, 0			# i
	li	s1, 0			# sum of squares (mod 2^32)
	la	s2, total
	li	s3, STEPS
	li	s4, 0xfffff		# report mask
loop:
	addi	s0, s0, 1
	mul	t0, s0, s0
	add	s1, s1, t0
	sw	s1, 0(s2)		# total = sum
	and	t1, s0, s4
	bnez	t1, next
	mv	a0, s0
	call	report
next:
	bltu	s0, s3, loop
	la	a0, done
	call	puts
	li	t0, TEST
	li	t1, 0x5555
	sw	t1, 0(t0)		# exit(0)
1:	j	1b

# report(a0 = i): prints "i = 0x........  total = 0x........"
report:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	a0, 8(sp)
	la	a0, msg_i
	call	puts
	lw	a0, 8(sp)
	call	puthex
	la	a0, msg_total
	call	puts
	lw	a0, total
	call	puthex
	li	a0, '\n'
	call	putc
	lw	ra, 12(sp)
	addi	sp, sp, 16
	ret

# puthex(a0): eight hex digits
puthex:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	sw	s0, 8(sp)
	sw	s1, 4(sp)
	mv	s0, a0
	li	s1, 28
2:	srl	a0, s0, s1
	andi	a0, a0, 15
	la	t0, digits
	add	t0, t0, a0
	lbu	a0, 0(t0)
	call	putc
	addi	s1, s1, -4
	bgez	s1, 2b
	lw	ra, 12(sp)
	lw	s0, 8(sp)
	lw	s1, 4(sp)
	addi	sp, sp, 16
	ret

# puts(a0): a zero-terminated string
puts:
	li	t0, UART
3:	lbu	t1, 0(a0)
	beqz	t1, 4f
	sb	t1, 0(t0)
	addi	a0, a0, 1
	j	3b
4:	ret

# putc(a0): one character
putc:
	li	t0, UART
	sb	a0, 0(t0)
	ret

	.section .rodata
banner:	.string	"Squares: summing i*i, one report every 1048576 steps\n"
msg_i:	.string	"i = 0x"
msg_total:
	.string	"  total = 0x"
digits:	.string	"0123456789abcdef"
done:	.string	"done\n"

	.data
	.align	2
total:	.word	0

	.bss
	.align	4
stack:	.space	4096
stack_top:
