/* tests/baremetal/startup.c: the reset vector of a Cortex-M7 (MPS2 AN500) running a
   statnn export bare metal: enable the FPU, copy .data to RAM, then newlib's _start
   (rdimon: printf and exit through semihosting, which qemu forwards to the host). */
#include <stdint.h>
#include <string.h>

extern void _start(void);
extern uint32_t __stack_top, __data_start, __data_end, __data_load;

void reset_handler(void) {
    /* The FPU is off at reset: full access to CP10 and CP11 before any float instruction. */
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm volatile("dsb\n\tisb");
    memcpy(&__data_start, &__data_load, (size_t)((char *)&__data_end - (char *)&__data_start));
    _start();
    for (;;) {
    }
}

/* A fault ends the run: qemu is killed by the test's timeout and the test fails. */
void default_handler(void) {
    for (;;) {
    }
}

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &__stack_top,    reset_handler,   default_handler, default_handler, default_handler, default_handler,
    default_handler, 0,               0,               0,               0,               default_handler,
    default_handler, 0,               default_handler, default_handler};
