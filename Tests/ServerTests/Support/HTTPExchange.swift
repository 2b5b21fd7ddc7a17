import Foundation

/// One HTTP/1.1 response as the metrics endpoint sends it (then closes the connection).
struct HTTPAnswer {
    let status: Int
    /// Header names lower-cased.
    let headers: [String: String]
    let body: String

    /// The value of one series in a Prometheus exposition (`name{labels}` exactly as written), or nil.
    func sample(_ series: String) -> Double? {
        for line in body.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}

/// Sends `request` (raw bytes) to 127.0.0.1:`port` and reads until the server closes; nil when it
/// closed without an HTTP answer.
func httpExchange(port: UInt16, _ request: String) throws -> HTTPAnswer? {
    let client = try TCPClient(port: port)
    try client.send(request)
    var received: [UInt8] = []
    let deadline = Date().addingTimeInterval(5)
    while deadline.timeIntervalSinceNow > 0, let bytes = client.read(timeout: 1_000), !bytes.isEmpty { received += bytes }
    let text = String(decoding: received, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { return nil }
    let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
    guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
        let status = Int(statusLine.dropFirst(9).prefix(3))
    else { return nil }
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return HTTPAnswer(status: status, headers: headers, body: String(text[split.upperBound...]))
}

func httpGet(port: UInt16, _ path: String) throws -> HTTPAnswer? {
    try httpExchange(port: port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
}
