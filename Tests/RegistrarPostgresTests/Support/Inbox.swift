import NIOConcurrencyHelpers
import Registrar
import RegistrarPostgres

/// What a store's change feed delivered, with the time of each delivery.
final class Inbox: Sendable {
    enum Delivery: Sendable, Equatable {
        case changes([BindingChange])
        case resync([Binding])
    }

    private let deliveries = NIOLockedValueBox<[(Delivery, ContinuousClock.Instant)]>([])

    var all: [Delivery] { deliveries.withLockedValue { $0.map(\.0) } }
    var count: Int { deliveries.withLockedValue { $0.count } }
    var resyncs: [[Binding]] { all.compactMap { if case .resync(let b) = $0 { b } else { nil } } }
    var changes: [[BindingChange]] { all.compactMap { if case .changes(let c) = $0 { c } else { nil } } }

    func time(of index: Int) -> ContinuousClock.Instant? {
        deliveries.withLockedValue { index < $0.count ? $0[index].1 : nil }
    }

    func listen(to store: PostgresBindingStore) throws {
        try store.startListening(
            onChange: { [self] in record(.changes($0)) },
            onResync: { [self] in record(.resync($0)) })
    }

    private func record(_ delivery: Delivery) {
        deliveries.withLockedValue { $0.append((delivery, .now)) }
    }
}
