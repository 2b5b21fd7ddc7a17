import Synchronization

/// `store = "memory"`: bindings live as long as the process (a restart forgets every registration;
/// phones re-register within their expiry). Also the store tests read back what was written.
public final class MemoryBindingStore: BindingStore {
    private struct Key: Hashable {
        var aor: AddressOfRecord
        var contact: String
    }

    private let rows = Mutex<[Key: Binding]>([:])

    public init(_ bindings: [Binding] = []) {
        rows.withLock { rows in
            for binding in bindings { rows[Key(aor: binding.aor, contact: binding.contact)] = binding }
        }
    }

    public func load() throws -> [Binding] {
        rows.withLock { Array($0.values) }
    }

    public func write(_ changes: [BindingChange]) throws {
        rows.withLock { rows in
            for change in changes {
                switch change {
                case .upsert(let binding):
                    rows[Key(aor: binding.aor, contact: binding.contact)] = binding
                case .remove(let aor, let contact):
                    rows[Key(aor: aor, contact: contact)] = nil
                case .removeAll(let aor):
                    rows = rows.filter { $0.key.aor != aor }
                case .removeExpired(let before):
                    rows = rows.filter { $0.value.isLive(at: before) }
                }
            }
        }
    }

    /// Nothing to release: the rows live as long as the store.
    public func close() {}
}
