import Synchronization

/// Remembers the highest nonce count seen for each recent nonce (the caller passes a key naming the
/// nonce and the client that counts on it), so a captured request cannot be replayed with the same `nc`. Bounded: the oldest nonces are forgotten first (they expire anyway).
public final class ReplayGuard: Sendable {
    private let seen: Mutex<BoundedTable<String, UInt32>>

    public init(capacity: Int = 65_536) {
        seen = Mutex(BoundedTable(capacity: capacity))
    }

    /// True when `nc` is higher than any count accepted before for this nonce; it is then recorded.
    public func accept(nonce: String, nc: UInt32) -> Bool {
        seen.withLock { table in
            if let last = table[nonce], nc <= last { return false }
            table[nonce] = nc
            return true
        }
    }
}
