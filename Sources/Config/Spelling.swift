/// "Did you mean" suggestions for misspelt keys.
package enum Spelling {
    /// The known word closest to `word`, if it is close enough to be a plausible typo.
    package static func suggestion(for word: String, among known: [String]) -> String? {
        let lowered = Array(word.lowercased().utf8)
        var best: (word: String, distance: Int)?
        for candidate in known {
            let bytes = Array(candidate.utf8)
            // No suggestion is ever more than `maximumEdits` away, and the distance is at least the
            // difference in length: skipping those candidates changes no answer, and a 5,000-character
            // key is never compared in full (5,000 x 5,000 steps per unknown key or group).
            guard abs(bytes.count - lowered.count) <= maximumEdits else { continue }
            let distance = editDistance(lowered, bytes)
            if distance < best?.distance ?? Int.max {
                best = (candidate, distance)
            }
        }
        guard let best else { return nil }
        // Two edits catch swapped or doubled letters without suggesting unrelated words for short keys.
        let limit = max(1, min(maximumEdits, best.word.count / 3))
        return best.distance <= limit ? best.word : nil
    }

    static let maximumEdits = 2

    /// Levenshtein distance, with adjacent transpositions counted as one edit.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
