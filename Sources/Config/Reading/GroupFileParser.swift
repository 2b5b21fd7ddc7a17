/// Reads `groups/<id>.toml`. The group exists whatever its file says (its customers are still checked
/// against each other); a missing or mistyped name falls back to the id for messages only.
enum GroupFileParser {
    static func parse(_ root: TOMLSection?, id: String, file: String, log: inout DiagnosticLog) -> GroupSpec {
        var name = id
        if let root {
            root.rejectUnknownKeys(known: ["name"], in: &log)
            if root.requireKey("name", hint: "the group's display name, e.g. name = \"Harbor Holdings\"", in: &log),
                let given = root.string("name", typeHint: "a quoted string", in: &log)
            {
                name = given
            }
        }
        return GroupSpec(id: id, file: file, name: name)
    }
}
