/* Valgrind 3.19 crashes when libdispatch hands sigsuspend() a signal mask in read-only memory (at the
 * exit of an async test main). Preloading this wrapper passes a writable copy instead; nothing else
 * changes. Used only by scripts/valgrind-parse-loop.sh. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    int (*real)(const sigset_t *) = (int (*)(const sigset_t *))dlsym(RTLD_NEXT, "sigsuspend");
    return real(&copy);
}
