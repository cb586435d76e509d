"""SQLite schema, versioned.  Each migration is a list of statements applied once, in order.

Other SQLite tools can read the archive: plain tables, JSON in TEXT columns,
one contentless FTS5 index (`docs_fts`) whose rowid is `documents.id`.
"""

TOKENIZER = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"

MIGRATIONS: list[list[str]] = [
    # 1: the foundation
    [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL UNIQUE,
            source_format TEXT NOT NULL,
            title TEXT, case_no TEXT, release TEXT, release_date TEXT,
            disposition TEXT, exemptions TEXT NOT NULL DEFAULT '[]',
            classification TEXT NOT NULL DEFAULT '{}',
            lang TEXT, parent_id TEXT, parent_path TEXT,
            meta TEXT NOT NULL DEFAULT '{}',
            n_pages INTEGER NOT NULL DEFAULT 0,
            n_messages INTEGER NOT NULL DEFAULT 0,
            date TEXT, sender TEXT, subject TEXT,
            text TEXT NOT NULL,
            raw BLOB,                      -- original bytes when `text` is not their exact UTF-8 decoding
            html TEXT,
            content_hash TEXT,
            path TEXT,
            status TEXT NOT NULL DEFAULT 'ok', reason TEXT
        )""",
        "CREATE INDEX documents_release ON documents(release)",
        "CREATE INDEX documents_date ON documents(date)",
        "CREATE INDEX documents_parent ON documents(parent_id)",
        "CREATE INDEX documents_hash ON documents(content_hash)",
        """CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL, idx INTEGER NOT NULL,
            sender TEXT, recipients TEXT NOT NULL DEFAULT '[]', cc TEXT NOT NULL DEFAULT '[]',
            bcc TEXT NOT NULL DEFAULT '[]',
            date TEXT, date_raw TEXT, subject TEXT,
            attachments TEXT NOT NULL DEFAULT '[]', importance TEXT,
            start INTEGER, body_start INTEGER, end INTEGER,
            message_id TEXT, in_reply_to TEXT, extra TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX messages_doc ON messages(doc_id, idx)",
        "CREATE INDEX messages_date ON messages(date)",
        """CREATE TABLE correspondents (
            message INTEGER NOT NULL, doc_id TEXT NOT NULL,
            role TEXT NOT NULL,             -- from | to | cc | bcc
            raw TEXT NOT NULL, name TEXT, address TEXT
        )""",
        "CREATE INDEX correspondents_doc ON correspondents(doc_id)",
        "CREATE INDEX correspondents_address ON correspondents(address)",
        """CREATE TABLE pages (
            doc_id TEXT NOT NULL, number INTEGER NOT NULL,
            start INTEGER NOT NULL, end INTEGER NOT NULL,
            byte_start INTEGER NOT NULL, byte_end INTEGER NOT NULL,
            status TEXT NOT NULL, exemptions TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (doc_id, number)
        ) WITHOUT ROWID""",
        """CREATE TABLE passages (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL, seq INTEGER NOT NULL, page INTEGER,
            start INTEGER NOT NULL, end INTEGER NOT NULL,
            byte_start INTEGER NOT NULL, byte_end INTEGER NOT NULL
        )""",
        "CREATE INDEX passages_doc ON passages(doc_id, seq)",
        "CREATE TABLE exemptions (doc_id TEXT NOT NULL, code TEXT NOT NULL)",
        "CREATE INDEX exemptions_code ON exemptions(code)",
        """CREATE TABLE ledger (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL, member TEXT NOT NULL DEFAULT '',
            root TEXT, content_hash TEXT, size INTEGER,
            reader TEXT, status TEXT NOT NULL,   -- ok | duplicate | failed | partial
            reason TEXT, doc_id TEXT, release TEXT, at TEXT NOT NULL
        )""",
        "CREATE INDEX ledger_hash ON ledger(content_hash)",
        "CREATE UNIQUE INDEX ledger_input ON ledger(path, member, content_hash)",
        f"""CREATE VIRTUAL TABLE docs_fts USING fts5(
            body, subject, sender, recipients, cc, content='', tokenize="{TOKENIZER}")""",
        "CREATE VIRTUAL TABLE docs_vocab USING fts5vocab(docs_fts, 'row')",
        # OCR-tolerant spelling index: every indexed term with its confusion skeleton.
        "CREATE TABLE terms (term TEXT PRIMARY KEY, skel TEXT NOT NULL, df INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE INDEX terms_skel ON terms(skel)",
    ],
    # people, duplicates and message keys for threads (rebuilt by `build_intel` after ingest)
    [
        """CREATE TABLE persons (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL,
            sent INTEGER NOT NULL DEFAULT 0, received INTEGER NOT NULL DEFAULT 0,
            first TEXT, last TEXT, withheld INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE person_forms (
            form TEXT PRIMARY KEY, person INTEGER NOT NULL,
            method TEXT NOT NULL, confidence REAL NOT NULL, n INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID""",
        "CREATE INDEX person_forms_person ON person_forms(person)",
        "CREATE TABLE person_keys (key TEXT PRIMARY KEY, person INTEGER NOT NULL) WITHOUT ROWID",
        """CREATE TABLE dupe_pairs (
            a TEXT NOT NULL, b TEXT NOT NULL, similarity REAL NOT NULL, PRIMARY KEY (a, b)
        ) WITHOUT ROWID""",
        "CREATE INDEX dupe_pairs_b ON dupe_pairs(b)",
        "CREATE TABLE dupe_clusters (doc_id TEXT PRIMARY KEY, cluster INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE INDEX dupe_clusters_cluster ON dupe_clusters(cluster)",
        """CREATE TABLE message_keys (
            message INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, idx INTEGER NOT NULL,
            person INTEGER, minute TEXT, subject TEXT
        )""",
        "CREATE INDEX message_keys_when ON message_keys(person, minute)",
        "CREATE INDEX message_keys_subject ON message_keys(subject)",
        "CREATE INDEX message_keys_doc ON message_keys(doc_id)",
    ],
    # copies the near-duplicate clusters miss: heavy OCR damage, a forward that adds a line
    [
        """CREATE TABLE copy_pairs (
            a TEXT NOT NULL, b TEXT NOT NULL, share REAL NOT NULL, PRIMARY KEY (a, b)
        ) WITHOUT ROWID""",
        "CREATE INDEX copy_pairs_b ON copy_pairs(b)",
    ],
    # kept work: tags, flags (starred, read) and notes on documents; saved searches and the
    # documents.id up to which their alerts were seen (dalil/store/base/annotations.py)
    [
        """CREATE TABLE doc_tags (
            doc_id TEXT NOT NULL, tag TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (doc_id, tag)
        ) WITHOUT ROWID""",
        "CREATE INDEX doc_tags_tag ON doc_tags(tag)",
        """CREATE TABLE doc_flags (
            doc_id TEXT NOT NULL, flag TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (doc_id, flag)
        ) WITHOUT ROWID""",
        "CREATE INDEX doc_flags_flag ON doc_flags(flag)",
        "CREATE TABLE doc_notes (doc_id TEXT PRIMARY KEY, note TEXT NOT NULL, at TEXT NOT NULL) WITHOUT ROWID",
        """CREATE TABLE saved_searches (
            name TEXT PRIMARY KEY, query TEXT NOT NULL, seen_row INTEGER NOT NULL,
            created TEXT NOT NULL, seen_at TEXT
        ) WITHOUT ROWID""",
    ],
    # mentioned entities (`dalil mentions`): per document, the keys `mentions:` finds, the documents read
    [
        """CREATE TABLE mentions (
            doc_id TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL, form TEXT NOT NULL,
            n INTEGER NOT NULL, person INTEGER, place TEXT, PRIMARY KEY (doc_id, kind, label)
        ) WITHOUT ROWID""",
        "CREATE TABLE mention_keys (key TEXT NOT NULL, doc_id TEXT NOT NULL, PRIMARY KEY (key, doc_id)) WITHOUT ROWID",
        "CREATE INDEX mention_keys_doc ON mention_keys(doc_id)",
        # A rowid table: every save takes a new rowid, so max(rowid) tells a cache that mentions changed.
        "CREATE TABLE mentions_done (doc_id TEXT PRIMARY KEY, model TEXT NOT NULL)",
    ],
    # a correspondent's place in its document, written at insert: the people and thread passes
    # read forms in the order they were ingested on both backends (PostgreSQL has no rowid order)
    [
        "ALTER TABLE correspondents ADD COLUMN pos INTEGER",
        """UPDATE correspondents SET pos = o.n FROM (
               SELECT rowid AS r, row_number() OVER (PARTITION BY doc_id ORDER BY rowid) - 1 AS n
               FROM correspondents) o
           WHERE correspondents.rowid = o.r""",
    ],
    # 7: users and access (dalil/store/base/access.py): each document's collection (existing ones
    # go to "default"), accounts with a role, their collection grants, API tokens (their SHA-256
    # only), the audit log, and who saved a saved search
    [
        "ALTER TABLE documents ADD COLUMN collection TEXT NOT NULL DEFAULT 'default'",
        "CREATE INDEX documents_collection ON documents(collection)",
        """CREATE TABLE users (
            name TEXT PRIMARY KEY, role TEXT NOT NULL, password TEXT NOT NULL, created TEXT NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE user_grants (
            name TEXT NOT NULL, collection TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (name, collection)
        ) WITHOUT ROWID""",
        """CREATE TABLE user_tokens (
            hash TEXT PRIMARY KEY, name TEXT NOT NULL, label TEXT NOT NULL, created TEXT NOT NULL,
            expires TEXT NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE audit (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX audit_at ON audit(at)",
        "ALTER TABLE saved_searches ADD COLUMN owner TEXT",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)
