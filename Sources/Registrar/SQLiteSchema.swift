import GRDB

/// The bindings database's schema, created or brought up to date at every open. GRDB's migrator
/// records the migrations it ran in `grdb_migrations`, so opening an up-to-date file changes nothing;
/// a later schema change is a new `registerMigration`, never an edit of an old one.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: bindings") { db in
            // STRICT: a column holds its declared type or fails the write, so a row always decodes;
            // the CHECKs keep what Binding's types cannot hold out of the file (a hand edit included).
            try db.execute(
                sql: """
                    CREATE TABLE binding (
                        customer    TEXT NOT NULL,
                        extension   TEXT NOT NULL,
                        contact     TEXT NOT NULL,
                        target      TEXT NOT NULL,
                        call_id     TEXT NOT NULL,
                        cseq        INTEGER NOT NULL CHECK (cseq BETWEEN 0 AND 4294967295),
                        expires_at  REAL NOT NULL,
                        q           REAL CHECK (q IS NULL OR q BETWEEN 0 AND 1),
                        source      TEXT NOT NULL,
                        transport   TEXT NOT NULL,
                        user_agent  TEXT,
                        updated_at  REAL NOT NULL,
                        PRIMARY KEY (customer, extension, contact)
                    ) STRICT, WITHOUT ROWID;
                    -- The purge deletes by time.
                    CREATE INDEX binding_expires_at ON binding (expires_at);
                    """)
        }
        return migrator
    }

    static let columns =
        "customer, extension, contact, target, call_id, cseq, expires_at, q, source, transport, user_agent, updated_at"
}
