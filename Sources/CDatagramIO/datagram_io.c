#define _GNU_SOURCE
#include "datagram_io.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

// One mmsghdr per slot, its iovec over the slot's buffer (`length` bytes to send, or the whole
// `capacity` to receive into) and its name over the slot's address.
static void describe_slots(struct mmsghdr *headers, struct iovec *vectors,
                           const struct switchd_datagram *slots, unsigned count, int receiving) {
    memset(headers, 0, sizeof(struct mmsghdr) * count);
    for (unsigned i = 0; i < count; i++) {
        vectors[i].iov_base = slots[i].buffer;
        vectors[i].iov_len = receiving ? slots[i].capacity : slots[i].length;
        headers[i].msg_hdr.msg_name = (void *)&slots[i].address;
        headers[i].msg_hdr.msg_namelen = receiving ? sizeof(slots[i].address) : slots[i].address_length;
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
    }
}

int switchd_receive_datagrams(int fd, struct switchd_datagram *slots, unsigned count, int wait) {
    if (count > SWITCHD_DATAGRAM_BATCH_MAX) count = SWITCHD_DATAGRAM_BATCH_MAX;
    struct mmsghdr headers[SWITCHD_DATAGRAM_BATCH_MAX];
    struct iovec vectors[SWITCHD_DATAGRAM_BATCH_MAX];
    describe_slots(headers, vectors, slots, count, 1);
    int received;
    do {
        // MSG_WAITFORONE: block for the first datagram only, then take what else is already there.
        received = recvmmsg(fd, headers, count, wait ? MSG_WAITFORONE : MSG_DONTWAIT, NULL);
    } while (received < 0 && errno == EINTR);
    if (received < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    for (int i = 0; i < received; i++) {
        slots[i].length = headers[i].msg_len;
        slots[i].address_length = headers[i].msg_hdr.msg_namelen;
        // MSG_TRUNC: the datagram was longer than the buffer and was cut.
        slots[i].truncated = (headers[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
    }
    return received;
}

int switchd_send_datagrams(int fd, const struct switchd_datagram *slots, unsigned count) {
    if (count > SWITCHD_DATAGRAM_BATCH_MAX) count = SWITCHD_DATAGRAM_BATCH_MAX;
    struct mmsghdr headers[SWITCHD_DATAGRAM_BATCH_MAX];
    struct iovec vectors[SWITCHD_DATAGRAM_BATCH_MAX];
    describe_slots(headers, vectors, slots, count, 0);
    int sent;
    do {
        // MSG_DONTWAIT: the socket blocks for receiving, but a full send buffer must fail the send
        // (EAGAIN, counted) rather than stall the worker.
        sent = sendmmsg(fd, headers, count, MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    return sent;
}
