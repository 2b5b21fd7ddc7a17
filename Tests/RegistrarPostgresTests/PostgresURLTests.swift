import RegistrarPostgresURL
import Testing

@Suite("Store URL")
struct PostgresURLTests {
    @Test(
        "the documented forms",
        arguments: [
            (
                "postgresql://switchd@127.0.0.1:5433/switchd",
                PostgresURL(server: .tcp(host: "127.0.0.1", port: 5433), user: "switchd", password: nil, database: "switchd")
            ),
            (
                "postgres://registrar:s3cret@db.example/bindings",
                PostgresURL(
                    server: .tcp(host: "db.example", port: 5432), user: "registrar", password: "s3cret", database: "bindings")
            ),
            (
                "POSTGRESQL://u:p@[2001:db8::5]:6000/d",
                PostgresURL(server: .tcp(host: "2001:db8::5", port: 6000), user: "u", password: "p", database: "d")
            ),
            (
                "postgresql://u:p%40ss%2Fw%3Ard%3F%23@h/my%20db",
                PostgresURL(server: .tcp(host: "h", port: 5432), user: "u", password: "p@ss/w:rd?#", database: "my db")
            ),
            (
                "postgresql://switchd@/switchd?host=/var/run/postgresql",
                PostgresURL(
                    server: .unixSocket(directory: "/var/run/postgresql", port: 5432), user: "switchd", password: nil,
                    database: "switchd")
            ),
            (
                "postgresql://switchd@:5433/switchd?host=%2Ftmp%2Fpg&sslmode=disable",
                PostgresURL(
                    server: .unixSocket(directory: "/tmp/pg", port: 5433), user: "switchd", password: nil, database: "switchd")
            ),
            (
                "postgresql://u:@h:1/d",
                PostgresURL(server: .tcp(host: "h", port: 1), user: "u", password: nil, database: "d")
            ),
        ])
    func parses(text: String, expected: PostgresURL) throws {
        #expect(try PostgresURL(parsing: text) == expected)
    }

    @Test(
        "each mistake is named, the password never quoted",
        arguments: [
            (
                "mysql://u@h/d",
                "store URL must start with postgresql:// (or postgres://): postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
            ),
            ("", "store URL must start with postgresql:// (or postgres://): postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"),
            ("postgresql://u:pa#ss@h/d", "store URL has a \"#\": write it as %23 in a password"),
            (
                "postgresql://u:se/cret@h/d",
                "store URL has a \"/\" before its \"@\": write a \"/\" in the user or password as %2F"
            ),
            ("postgresql://127.0.0.1:5432/d", "store URL names no user: postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"),
            ("postgresql://:secret@h/d", "store URL names no user: postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"),
            (
                "postgresql://u@/d",
                "store URL names no host, nor a socket directory with ?host=/DIR: postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
            ),
            ("postgresql://u@h/d?host=/tmp", "store URL names both a host and ?host=: give one of them"),
            (
                "postgresql://u@db_1.exa mple/d",
                "store URL host \"db_1.exa mple\" is not a host name, an IPv4 address or a bracketed IPv6 address"
            ),
            ("postgresql://u@::1/d", "store URL host \"::1\" is not a host name, an IPv4 address or a bracketed IPv6 address"),
            ("postgresql://u@[::1/d", "store URL host \"[::1\" is not a host name, an IPv4 address or a bracketed IPv6 address"),
            ("postgresql://u@[db]/d", "store URL host \"[db]\" is not a host name, an IPv4 address or a bracketed IPv6 address"),
            ("postgresql://u@h:65536/d", "store URL port \"65536\" is not a number from 1 to 65535"),
            ("postgresql://u@h:0/d", "store URL port \"0\" is not a number from 1 to 65535"),
            ("postgresql://u@h:/d", "store URL port \"\" is not a number from 1 to 65535"),
            ("postgresql://u@h:+5/d", "store URL port \"+5\" is not a number from 1 to 65535"),
            ("postgresql://u@h", "store URL names no database: postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"),
            ("postgresql://u@h/", "store URL names no database: postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"),
            ("postgresql://u@h/a/b", "store URL database \"a/b\" has a \"/\": a database name is one path segment"),
            (
                "postgresql://u:p%4@h/d",
                "store URL has a bad %-escape in the password (% must be followed by two hex digits of UTF-8)"
            ),
            (
                "postgresql://u:p%00@h/d",
                "store URL has a bad %-escape in the password (% must be followed by two hex digits of UTF-8)"
            ),
            ("postgresql://u%ff@h/d", "store URL has a bad %-escape in the user (% must be followed by two hex digits of UTF-8)"),
            (
                "postgresql://u@h/d%zz",
                "store URL has a bad %-escape in the database (% must be followed by two hex digits of UTF-8)"
            ),
            (
                "postgresql://u@h/d?connect_timeout=5",
                "store URL parameter \"connect_timeout\" is not supported (supported: host=/SOCKET/DIR, sslmode=disable)"
            ),
            ("postgresql://u@/d?host=/a&host=/b", "store URL gives the parameter \"host\" twice"),
            (
                "postgresql://u@/d?host=run/pg",
                "store URL ?host=run/pg is not an absolute socket directory (such as ?host=/var/run/postgresql)"
            ),
            (
                "postgresql://u@h/d?sslmode=require",
                "store URL asks for sslmode=require, but TLS is not supported yet: use sslmode=disable or leave it out"
            ),
        ])
    func refuses(text: String, message: String) {
        #expect(throws: PostgresURLError.self) { try PostgresURL(parsing: text) }
        do {
            _ = try PostgresURL(parsing: text)
        } catch {
            #expect(error.description == message)
            #expect(!error.description.contains("secret"))
        }
    }

    @Test("the description leaves the password out")
    func description() throws {
        #expect(
            try PostgresURL(parsing: "postgresql://switchd:s3cret@127.0.0.1:5433/switchd").description
                == "postgresql://switchd:***@127.0.0.1:5433/switchd")
        #expect(
            try PostgresURL(parsing: "postgresql://switchd@[::1]/switchd").description
                == "postgresql://switchd@[::1]:5432/switchd")
        #expect(
            try PostgresURL(parsing: "postgresql://switchd@:5433/switchd?host=/tmp/pg").description
                == "postgresql://switchd@:5433/switchd?host=/tmp/pg")
        #expect(try PostgresURL(parsing: "postgresql://u@/d?host=/tmp/pg").serverDescription == "/tmp/pg/.s.PGSQL.5432")
    }
}
