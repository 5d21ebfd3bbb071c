export { Machine, RAM_BASE, ROM_BASE, TEST_BASE, RTC_BASE, CLINT_BASE, PLIC_BASE, UART_BASE, UART_IRQ } from './machine';
export type { LoadSegment, ProgramImage, InputPort, MachineOptions, StopReason, WatchKind, Watchpoint } from './types';
export { decodeInsn } from './decode';
