/// The host of a SIP URI given on the command line (`sip:201@acme.example`, `<sip:...>`, or a bare host).
enum URIHost {
    static func extract(_ text: String) -> String? {
        var rest = Substring(text)
        if rest.hasPrefix("<"), rest.hasSuffix(">") { rest = rest.dropFirst().dropLast() }
        for scheme in ["sip:", "sips:"] where rest.lowercased().hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
        }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        let host: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.startIndex...close]
        } else {
            host = rest.prefix { $0 != ":" && $0 != ";" && $0 != "?" && $0 != ">" }
        }
        return host.isEmpty || host.contains(" ") ? nil : String(host)
    }
}
