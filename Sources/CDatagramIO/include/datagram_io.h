// recvmmsg/sendmmsg for Swift. Glibc declares them (and struct mmsghdr) only under _GNU_SOURCE, which
// Swift's Glibc module is not built with; this header exposes a plain struct instead, and
// datagram_io.c (compiled with _GNU_SOURCE) does the system calls.
#ifndef SWITCHD_DATAGRAM_IO_H
#define SWITCHD_DATAGRAM_IO_H

#include <stddef.h>
#include <sys/socket.h>

/// Most datagrams one call moves; callers pass at most this many.
#define SWITCHD_DATAGRAM_BATCH_MAX 64

/// One datagram slot. Receive: the caller sets buffer/capacity, the call sets length, address,
/// address_length and truncated. Send: the caller sets buffer, length, address and address_length.
struct switchd_datagram {
    void *buffer;
    size_t capacity;
    size_t length;
    struct sockaddr_storage address;
    socklen_t address_length;
    int truncated;
};

/// Receives up to `count` datagrams: those waiting, after waiting for the first one when `wait` is
/// non-zero (for at most the socket's SO_RCVTIMEO). Returns how many (0 when none came: EAGAIN), or
/// -1 with errno set (EINTR is retried).
int switchd_receive_datagrams(int fd, struct switchd_datagram *slots, unsigned count, int wait);

/// Sends `count` datagrams without blocking. Returns how many the kernel took from the front (>= 1), or
/// -1 with errno set when the first one failed (EAGAIN when the send buffer is full; EINTR is retried).
int switchd_send_datagrams(int fd, const struct switchd_datagram *slots, unsigned count);

#endif
