// The only state of the COsip shim, defined once for the whole program (see
// shim.h): one buffer per thread that osip's trace callback writes and the
// Swift side reads and clears around each parse. In a header, as a `static`
// variable of a `static inline` function, every Swift file that includes the
// header got its own copy: the callback installed by SIPParser.swift wrote
// one, OsipMessage.swift read another, and osip's complaint was always "".
#include "shim.h"

#include <stdarg.h>
#include <stdio.h>

enum { SWITCHD_TRACE_CAPACITY = 256 };

// Per thread: worker threads parse concurrently, each keeps its own complaint.
static _Thread_local char switchd_trace_buffer[SWITCHD_TRACE_CAPACITY];

// osip's trace callback: formats the first message since the last clear,
// prints nothing. `static`: only switchd_install_trace hands it to osip.
static void switchd_trace_callback(const char *file, int line, osip_trace_level_t level,
                                   const char *format, va_list ap) {
    (void)file; (void)line; (void)level;
    if (switchd_trace_buffer[0] != '\0') return;
    vsnprintf(switchd_trace_buffer, sizeof switchd_trace_buffer, format, ap);
}

void switchd_install_trace(void) {
    osip_trace_initialize_func(OSIP_WARNING, switchd_trace_callback);
}

const char *switchd_last_trace(void) {
    return switchd_trace_buffer;
}

void switchd_clear_trace(void) {
    switchd_trace_buffer[0] = '\0';
}
