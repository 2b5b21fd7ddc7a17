/// A dictionary with a fixed maximum size that forgets its oldest keys first, so that state kept per
/// nonce or per source address cannot grow without limit under a flood of distinct keys.
public struct BoundedTable<Key: Hashable, Value> {
    public let capacity: Int
    private var values: [Key: Value] = [:]
    /// Keys in insertion order, as a ring; `head` is the oldest slot.
    private var order: [Key?]
    private var head = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "a bounded table needs room for at least one key")
        self.capacity = capacity
        order = Array(repeating: nil, count: capacity)
    }

    public var count: Int { values.count }

    /// How many values satisfy `condition` (a walk over every key: for reports, not per request).
    public func count(where condition: (Value) -> Bool) -> Int {
        values.values.reduce(0) { condition($1) ? $0 + 1 : $0 }
    }

    public subscript(key: Key) -> Value? {
        get { values[key] }
        set {
            guard let newValue else {
                values[key] = nil  // its ring slot is reclaimed when the ring comes round
                return
            }
            if values.updateValue(newValue, forKey: key) == nil {
                insertKey(key)
            }
        }
    }

    private mutating func insertKey(_ key: Key) {
        // Reuse the oldest slot; whatever key it held (if still present) is forgotten.
        if let oldest = order[head], oldest != key {
            values[oldest] = nil
        }
        order[head] = key
        head = (head + 1) % capacity
        // A key removed and re-added can leave a stale duplicate slot: trimming keeps values <= capacity.
        while values.count > capacity, let oldest = order[head] {
            values[oldest] = nil
            order[head] = nil
            head = (head + 1) % capacity
        }
    }
}
