import Foundation

/// Wall-clock seconds and the CPU seconds of this thread: on a shared machine the wall clock also
/// counts time spent waiting for a core, the CPU time only the work.
func measure(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = threadCPUSeconds()
    try body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, threadCPUSeconds() - cpuStart)
}

func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// A fixed pseudo-random sequence (64-bit LCG), so every run asks for the same AORs in the same order.
struct FixedRandom {
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    mutating func next(below bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}

func formatted(_ value: Double, _ decimals: Int = 0) -> String {
    String(format: "%.\(decimals)f", value)
}
