import Registrar
import Testing

@testable import RegistrarPostgres

@Suite("Change notices")
struct ChangeNoticeTests {
    @Test("a notice names the node and each AOR once, in order")
    func payload() {
        let payload = ChangeNotice.payload(
            node: "pbx1-4711-9f3a", aors: [Samples.acme202, Samples.acme201, Samples.acme202, Samples.globex100])
        #expect(payload == #"{"aors":[["acme","202"],["acme","201"],["globex","100"]],"node":"pbx1-4711-9f3a","v":1}"#)
        #expect(
            ChangeNotice.decode(payload)
                == ChangeNotice(node: "pbx1-4711-9f3a", content: .aors([Samples.acme202, Samples.acme201, Samples.globex100])))
    }

    @Test("too many AORs for one notification: the resync marker, always under 8000 bytes")
    func resync() {
        let node = String(repeating: "n", count: PostgresBindingStore.maximumNodeIDLength)
        let few = (0..<100).map { AddressOfRecord(customerID: "customer\($0)", extensionNumber: "\($0)") }
        let fewPayload = ChangeNotice.payload(node: node, aors: few)
        #expect(fewPayload.utf8.count < 8000)
        #expect(ChangeNotice.decode(fewPayload)?.content == .aors(few))

        let many = (0..<1000).map { AddressOfRecord(customerID: "customer\($0)", extensionNumber: "\($0)") }
        let manyPayload = ChangeNotice.payload(node: node, aors: many)
        #expect(manyPayload == #"{"node":"\#(node)","resync":true,"v":1}"#)
        #expect(ChangeNotice.decode(manyPayload) == ChangeNotice(node: node, content: .resync))
    }

    @Test(
        "a payload this switchd cannot read is nil (the listener then reads everything)",
        arguments: ["", "resync", "{}", #"{"v":2,"node":"n","resync":true}"#, #"{"v":1,"node":"n","aors":[["acme"]]}"#])
    func unreadable(payload: String) {
        #expect(ChangeNotice.decode(payload) == nil)
    }

    @Test("the changes of a notification: per AOR in its order, removeAll then its rows")
    func changes() {
        let a = Samples.binding(Samples.acme201, "sip:a@192.0.2.1")
        let b = Samples.binding(Samples.acme201, "sip:b@192.0.2.2")
        let c = Samples.binding(Samples.globex100, "sip:c@192.0.2.3")
        #expect(
            BindingSQL.changes(for: [Samples.globex100, Samples.acme202, Samples.acme201], from: [a, b, c]) == [
                .removeAll(Samples.globex100), .upsert(c), .removeAll(Samples.acme202), .removeAll(Samples.acme201),
                .upsert(a), .upsert(b),
            ])
    }
}
