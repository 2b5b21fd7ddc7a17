import CDatagramIO

#if canImport(Glibc)
    import Glibc
#endif

/// Buffers for moving many datagrams per system call: `recvmmsg` fills up to `capacity` receive slots,
/// `sendmmsg` sends the replies queued in up to `sendCapacity` send slots since the last flush. At
/// 20,000 datagrams a second, one `recvfrom` and one `sendto` per datagram cost more than routing them;
/// a batch pays the system-call entry once. Used by one listener worker at a time, never shared.
final class DatagramBatch {
    let capacity: Int
    let sendCapacity: Int
    private let slotSize: Int
    private let receiveSlots: UnsafeMutablePointer<switchd_datagram>
    private let sendSlots: UnsafeMutablePointer<switchd_datagram>
    private let buffers: UnsafeMutableRawPointer
    private var received = 0
    private var queued = 0

    /// `slotSize` bytes per datagram each way: one more than the largest accepted datagram, so that a
    /// longer one is reported truncated rather than cut silently. Pages are touched only as far as
    /// datagrams reach, so the resident cost is a few kB per slot.
    init(capacity: Int, sendCapacity: Int, slotSize: Int) {
        precondition(capacity <= Int(SWITCHD_DATAGRAM_BATCH_MAX) && sendCapacity <= Int(SWITCHD_DATAGRAM_BATCH_MAX))
        self.capacity = capacity
        self.sendCapacity = sendCapacity
        self.slotSize = slotSize
        buffers = .allocate(byteCount: (capacity + sendCapacity) * slotSize, alignment: 16)
        receiveSlots = Self.slots(capacity, in: buffers, size: slotSize)
        sendSlots = Self.slots(sendCapacity, in: buffers + capacity * slotSize, size: slotSize)
    }

    private static func slots(_ count: Int, in buffers: UnsafeMutableRawPointer, size: Int) -> UnsafeMutablePointer<
        switchd_datagram
    > {
        let slots = UnsafeMutablePointer<switchd_datagram>.allocate(capacity: count)
        for slot in 0..<count {
            slots[slot] = switchd_datagram()
            slots[slot].buffer = buffers + slot * size
            slots[slot].capacity = size
        }
        return slots
    }

    deinit {
        buffers.deallocate()
        receiveSlots.deallocate()
        sendSlots.deallocate()
    }

    /// Receives up to `capacity` datagrams: those waiting, after blocking for the first one (up to the
    /// socket's receive timeout) when `wait` is set. 0 when none came.
    func receive(_ fd: Int32, wait: Bool) throws(IOError) -> Int {
        let count = switchd_receive_datagrams(fd, receiveSlots, UInt32(capacity), wait ? 1 : 0)
        guard count >= 0 else {
            received = 0
            throw IOError(call: "recvmmsg", errno: errno)
        }
        received = Int(count)
        return received
    }

    /// Datagram `index` of the last `receive`: its bytes, its source, and whether it was cut short (or
    /// fills the whole slot, which is one byte more than the largest accepted datagram).
    func datagram(_ index: Int) -> (bytes: UnsafeRawBufferPointer, source: SocketAddress, truncated: Bool) {
        precondition(index < received)
        let slot = receiveSlots[index]
        let length = min(slot.length, slotSize)
        return (
            UnsafeRawBufferPointer(start: slot.buffer, count: length),
            SocketAddress(storage: slot.address), slot.truncated != 0 || length == slotSize
        )
    }

    /// True when every send slot holds a reply: flush before queueing another.
    var isSendFull: Bool { queued == sendCapacity }

    /// Copies `bytes` (at most `slotSize`) into the next send slot.
    func queue(_ bytes: [UInt8], to destination: SocketAddress) {
        precondition(!isSendFull && bytes.count <= slotSize)
        let slot = sendSlots + queued
        bytes.withUnsafeBytes { slot.pointee.buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        slot.pointee.length = bytes.count
        destination.withSockaddr { pointer, length in
            withUnsafeMutableBytes(of: &slot.pointee.address) {
                $0.baseAddress!.copyMemory(from: pointer, byteCount: Int(length))
            }
            slot.pointee.address_length = length
        }
        queued += 1
    }

    /// Sends every queued reply and returns how many went out. A reply the kernel refuses (sendmmsg
    /// stops at the first failure) is reported through `failed` with its destination and skipped; the
    /// rest are still sent.
    func flush(_ fd: Int32, failed: (SocketAddress, IOError) -> Void) -> Int {
        var next = 0, sent = 0
        while next < queued {
            let count = switchd_send_datagrams(fd, sendSlots + next, UInt32(queued - next))
            if count > 0 {
                next += Int(count)
                sent += Int(count)
            } else {
                failed(SocketAddress(storage: sendSlots[next].address), IOError(call: "sendmmsg", errno: count < 0 ? errno : EIO))
                next += 1
            }
        }
        queued = 0
        return sent
    }
}
