//! Schema parity: the SQLite and the PostgreSQL migrations must define the same schema,
//! because one store API with one text per query runs on both. A fresh database of each
//! is migrated by the app's own migrator, both catalogues are read back and compared as
//! normalised facts: tables; columns with their type class, nullability and default;
//! primary keys; unique constraints; foreign keys with their actions; the number of
//! check constraints per table; indexes with their columns or expressions, uniqueness and
//! condition; and triggers by table, timing and event.
//!
//! Triggers are compared by what they guard, not by name: an SQLite trigger fires for one
//! event, so an append-only table has `<table>_no_update` and `<table>_no_delete` there and
//! one `BEFORE UPDATE OR DELETE` trigger on PostgreSQL. Differences made on purpose are
//! listed in [`DELIBERATE`] with their reason; the test fails on any other difference, and
//! on a listed one that no longer exists.
//!
//! It needs both databases, so it runs in the PostgreSQL pass of `make test-integration`
//! (`TEST_DATABASE_URL`); the SQLite-only pass says so and has nothing to compare with.

use sqlx::Connection;
use std::collections::BTreeSet;

/// Differences the dialects have on purpose: (the side that has the fact, the fact, why).
const DELIBERATE: &[(&str, &str, &str)] = &[
    (
        "postgres",
        "index feed_at on feed_items (at,id)",
        "viewers of more than 20 groups read the feed with one ordered scan on PostgreSQL only (docs/performance.md, issue 6)",
    ),
    (
        "postgres",
        "index feed_pinned on feed_items (at,id) where urgent=1andacknowledged_atisnull",
        "PostgreSQL's planner needs the pinned items by time (docs/performance.md, issue 6)",
    ),
    (
        "sqlite",
        "index feed_pinned on feed_items (group_id,at) where urgent=1andacknowledged_atisnull",
        "SQLite reads the pinned items of `group_id IN (...)` from this one (migrations/sqlite/0005_feed.sql)",
    ),
];

/// Lower case, without spaces.
fn squeeze(text: &str) -> String {
    text.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect()
}

/// An index condition without its parentheses: PostgreSQL renders `urgent = 1 AND x IS
/// NULL` as `(urgent = 1) AND (x IS NULL)`.
fn condition(text: &str) -> String {
    squeeze(text).replace(['(', ')'], "")
}

/// A default as written: `'x'::text` and `'x'` are the same default.
fn default_value(value: Option<String>) -> String {
    let Some(value) = value else { return "-".into() };
    let mut value = value.trim().to_owned();
    while value.starts_with('(') && value.ends_with(')') {
        value = value[1..value.len() - 1].trim().to_owned();
    }
    if let Some((literal, cast)) = value.rsplit_once("::")
        && cast.chars().all(|c| c.is_ascii_alphabetic() || c == ' ')
    {
        value = literal.to_owned();
    }
    value
}

/// SQLite's type affinity (§ 3.1 of its datatype documentation).
fn sqlite_type_class(declared: &str) -> &'static str {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        "integer"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "text"
    } else if t.is_empty() || t.contains("BLOB") {
        "blob"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "real"
    } else {
        "numeric"
    }
}

/// PostgreSQL's type in the same classes. Integers must be `bigint`: the store decodes
/// every integer as `i64`, which PostgreSQL's 32-bit `integer` would refuse.
fn postgres_type_class(data_type: &str) -> String {
    match data_type {
        "text" | "character varying" | "character" => "text".into(),
        "bigint" => "integer".into(),
        "integer" => "integer (32 bits)".into(),
        "smallint" => "integer (16 bits)".into(),
        "real" | "double precision" => "real".into(),
        "bytea" => "blob".into(),
        other => other.into(),
    }
}

/// The column list of `CREATE [UNIQUE] INDEX … ON table (…) [WHERE …]`, and the condition.
fn index_parts(sql: &str) -> (String, Option<String>) {
    let open = sql.find('(').unwrap_or(sql.len());
    let mut depth = 0;
    let mut close = sql.len();
    for (i, c) in sql.char_indices().skip_while(|(i, _)| *i < open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = i;
                    break;
                }
            }
            _ => {}
        }
    }
    let columns = squeeze(sql.get(open + 1..close).unwrap_or_default());
    let rest = sql.get(close + 1..).unwrap_or_default();
    let condition = rest.to_lowercase().find("where").map(|at| condition(&rest[at + "where".len()..]));
    (columns, condition)
}

fn index_fact(name: &str, table: &str, columns: &str, unique: bool, condition: Option<String>) -> String {
    let mut fact = format!("index {name} on {table} ({columns})");
    if unique {
        fact.push_str(" unique");
    }
    if let Some(condition) = condition {
        fact.push_str(&format!(" where {condition}"));
    }
    fact
}

fn foreign_action(action: &str) -> String {
    match action {
        "a" => "no action".into(),
        "r" => "restrict".into(),
        "c" => "cascade".into(),
        "n" => "set null".into(),
        "d" => "set default".into(),
        other => other.to_lowercase(),
    }
}

/// Timing and event of `CREATE TRIGGER name BEFORE UPDATE [OF …] ON table …`.
fn sqlite_trigger(sql: &str) -> (String, String) {
    let words: Vec<String> = sql.split_whitespace().map(str::to_lowercase).collect();
    let at = words.iter().position(|w| w == "before" || w == "after" || w == "instead").unwrap_or(0);
    let timing =
        if words.get(at).is_some_and(|w| w == "instead") { "instead of".to_owned() } else { words[at].clone() };
    let event = words.get(at + if timing == "instead of" { 2 } else { 1 }).cloned().unwrap_or_default();
    (timing, event)
}

/// The `CHECK (…)` clauses of a `CREATE TABLE` (not a column that is named like one).
fn check_clauses(sql: &str) -> usize {
    let upper = sql.to_uppercase();
    upper
        .match_indices("CHECK")
        .filter(|(at, _)| {
            let before = upper[..*at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
            let after = upper[at + "CHECK".len()..].trim_start().starts_with('(');
            !before && after
        })
        .count()
}

/// A foreign key of SQLite's, its columns gathered.
struct ForeignKey {
    target: String,
    from: Vec<String>,
    to: Vec<String>,
    on_update: String,
    on_delete: String,
}

/// A row of PostgreSQL's `pg_constraint`, with column names.
#[derive(sqlx::FromRow)]
struct Constraint {
    table: String,
    kind: String,
    columns: Option<String>,
    target: Option<String>,
    target_columns: Option<String>,
    on_update: String,
    on_delete: String,
}

/// An index of PostgreSQL's that is not a constraint's.
#[derive(sqlx::FromRow)]
struct PgIndex {
    name: String,
    table: String,
    unique: bool,
    columns: Option<String>,
    predicate: Option<String>,
}

async fn sqlite_catalogue(url: &str) -> BTreeSet<String> {
    let mut db = sqlx::SqliteConnection::connect(url).await.expect("open the SQLite database");
    let mut facts = BTreeSet::new();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut db)
    .await
    .expect("tables");
    for (table, sql) in &tables {
        facts.insert(format!("table {table}"));
        let columns: Vec<(String, String, i64, Option<String>, i64)> =
            sqlx::query_as("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut db)
                .await
                .expect("columns");
        let mut primary: Vec<(i64, String)> = Vec::new();
        for (name, declared, not_null, default, pk) in columns {
            let null = if not_null == 1 { "no" } else { "yes" };
            facts.insert(format!(
                "column {table}.{name} {} null={null} default={}",
                sqlite_type_class(&declared),
                default_value(default)
            ));
            if pk > 0 {
                primary.push((pk, name));
            }
        }
        primary.sort();
        if !primary.is_empty() {
            let columns: Vec<String> = primary.into_iter().map(|(_, c)| c).collect();
            facts.insert(format!("primary key {table} ({})", columns.join(",")));
        }
        let checks = check_clauses(sql);
        if checks > 0 {
            facts.insert(format!("checks on {table}: {checks}"));
        }
        let keys: Vec<(i64, String, String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(table)
        .fetch_all(&mut db)
        .await
        .expect("foreign keys");
        // One row per column of a key: grouped by key id into (target, from, to).
        let mut grouped: Vec<(i64, ForeignKey)> = Vec::new();
        for (id, target, from, to, on_update, on_delete) in keys {
            // `REFERENCES t` without a column means t's primary key.
            let to = match to {
                Some(to) => to,
                None => sqlx::query_scalar("SELECT name FROM pragma_table_info($1) WHERE pk = 1")
                    .bind(&target)
                    .fetch_one(&mut db)
                    .await
                    .expect("referenced key"),
            };
            match grouped.last_mut() {
                Some((last, key)) if *last == id => {
                    key.from.push(from);
                    key.to.push(to);
                }
                _ => grouped.push((id, ForeignKey { target, from: vec![from], to: vec![to], on_update, on_delete })),
            }
        }
        for (_, key) in grouped {
            facts.insert(format!(
                "foreign key {table} ({}) references {} ({}) on update {} on delete {}",
                key.from.join(","),
                key.target,
                key.to.join(","),
                foreign_action(&key.on_update),
                foreign_action(&key.on_delete)
            ));
        }
        let indexes: Vec<(String, i64, String, i64)> =
            sqlx::query_as("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1) ORDER BY name")
                .bind(table)
                .fetch_all(&mut db)
                .await
                .expect("indexes");
        for (name, unique, origin, _partial) in indexes {
            match origin.as_str() {
                "u" => {
                    let columns: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                            .bind(&name)
                            .fetch_all(&mut db)
                            .await
                            .expect("unique columns");
                    facts.insert(format!("unique {table} ({})", columns.join(",")));
                }
                "c" => {
                    let sql: String =
                        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1")
                            .bind(&name)
                            .fetch_one(&mut db)
                            .await
                            .expect("index sql");
                    let (columns, condition) = index_parts(&sql);
                    facts.insert(index_fact(&name, table, &columns, unique == 1, condition));
                }
                // The primary key's own index.
                _ => {}
            }
        }
    }
    let triggers: Vec<(String, String, String)> =
        sqlx::query_as("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            .fetch_all(&mut db)
            .await
            .expect("triggers");
    for (_name, table, sql) in triggers {
        let (timing, event) = sqlite_trigger(&sql);
        facts.insert(format!("trigger on {table} {timing} {event}"));
    }
    facts
}

async fn postgres_catalogue(url: &str) -> BTreeSet<String> {
    let mut db = sqlx::PgConnection::connect(url).await.expect("open the PostgreSQL database");
    let mut facts = BTreeSet::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&mut db)
    .await
    .expect("tables");
    for table in &tables {
        facts.insert(format!("table {table}"));
    }
    let columns: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text, column_default::text \
         FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut db)
    .await
    .expect("columns");
    for (table, name, data_type, nullable, default) in columns {
        let null = if nullable == "YES" { "yes" } else { "no" };
        facts.insert(format!(
            "column {table}.{name} {} null={null} default={}",
            postgres_type_class(&data_type),
            default_value(default)
        ));
    }
    // Every constraint with its columns in order, and for foreign keys the other side.
    let constraints: Vec<Constraint> = sqlx::query_as(
        "SELECT t.relname::text AS \"table\", c.contype::text AS kind, \
                (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns, \
                r.relname::text AS target, \
                (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n) \
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS target_columns, \
                c.confupdtype::text AS on_update, c.confdeltype::text AS on_delete \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class r ON r.oid = c.confrelid \
         WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> '_sqlx_migrations' \
           AND c.contype IN ('p', 'u', 'f', 'c')",
    )
    .fetch_all(&mut db)
    .await
    .expect("constraints");
    let mut checks: std::collections::BTreeMap<String, usize> = Default::default();
    for c in constraints {
        let (table, columns) = (c.table, c.columns.unwrap_or_default());
        match c.kind.as_str() {
            "p" => {
                facts.insert(format!("primary key {table} ({columns})"));
            }
            "u" => {
                facts.insert(format!("unique {table} ({columns})"));
            }
            "f" => {
                facts.insert(format!(
                    "foreign key {table} ({columns}) references {} ({}) on update {} on delete {}",
                    c.target.unwrap_or_default(),
                    c.target_columns.unwrap_or_default(),
                    foreign_action(&c.on_update),
                    foreign_action(&c.on_delete)
                ));
            }
            _ => *checks.entry(table).or_default() += 1,
        }
    }
    for (table, n) in checks {
        facts.insert(format!("checks on {table}: {n}"));
    }
    // Indexes that are not the index of a primary key or unique constraint.
    let indexes: Vec<PgIndex> = sqlx::query_as(
        "SELECT ic.relname::text AS name, t.relname::text AS \"table\", i.indisunique AS \"unique\", \
                (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ',' ORDER BY k) \
                 FROM generate_series(1, i.indnkeyatts::int) k) AS columns, \
                pg_get_expr(i.indpred, i.indrelid, true) AS predicate \
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid \
         WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> '_sqlx_migrations' \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))",
    )
    .fetch_all(&mut db)
    .await
    .expect("indexes");
    for i in indexes {
        let columns = squeeze(&i.columns.unwrap_or_default());
        facts.insert(index_fact(&i.name, &i.table, &columns, i.unique, i.predicate.map(|c| condition(&c))));
    }
    let triggers: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT event_object_table::text, lower(action_timing::text), lower(event_manipulation::text) \
         FROM information_schema.triggers WHERE trigger_schema = current_schema()",
    )
    .fetch_all(&mut db)
    .await
    .expect("triggers");
    for (table, timing, event) in triggers {
        facts.insert(format!("trigger on {table} {timing} {event}"));
    }
    facts
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_define_the_same_schema() {
    if !std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres")) {
        eprintln!(
            "schema parity: compared in the PostgreSQL pass of `make test-integration` (TEST_DATABASE_URL); nothing to compare with here"
        );
        return;
    }
    let postgres_url = crate::common::fresh_database_url().await;
    let dir = std::env::temp_dir().join(format!("gruppenbuch-schema-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let sqlite_url = format!("sqlite://{}/schema.db", dir.display());
    for url in [&sqlite_url, &postgres_url] {
        let store = gruppenbuch_app::db::Store::connect(url).await.expect("open store");
        store.migrate().await.expect("migrate");
    }
    let sqlite = sqlite_catalogue(&sqlite_url).await;
    let postgres = postgres_catalogue(&postgres_url).await;
    assert!(sqlite.len() > 100 && postgres.len() > 100, "catalogues read: {} / {}", sqlite.len(), postgres.len());

    let mut found: BTreeSet<(&str, String)> = BTreeSet::new();
    found.extend(sqlite.difference(&postgres).map(|f| ("sqlite", f.clone())));
    found.extend(postgres.difference(&sqlite).map(|f| ("postgres", f.clone())));
    let deliberate: BTreeSet<(&str, String)> = DELIBERATE.iter().map(|(side, f, _)| (*side, (*f).to_owned())).collect();
    let unexpected: Vec<String> =
        found.difference(&deliberate).map(|(side, fact)| format!("only on {side}: {fact}")).collect();
    let gone: Vec<String> =
        deliberate.difference(&found).map(|(side, fact)| format!("listed for {side}, not found: {fact}")).collect();
    assert!(
        unexpected.is_empty() && gone.is_empty(),
        "the migrations disagree:\n{}\n{}",
        unexpected.join("\n"),
        gone.join("\n")
    );
    eprintln!(
        "schema parity: {} facts on SQLite, {} on PostgreSQL; {} deliberate differences",
        sqlite.len(),
        postgres.len(),
        deliberate.len()
    );
    if std::env::var_os("GB_SCHEMA_DUMP").is_some() {
        for fact in &sqlite {
            eprintln!("  {fact}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_normalisation_treats_both_renderings_alike() {
    assert_eq!(
        index_parts(
            "CREATE INDEX feed_pinned ON feed_items (group_id, at) WHERE urgent = 1 AND acknowledged_at IS NULL"
        ),
        ("group_id,at".to_owned(), Some("urgent=1andacknowledged_atisnull".to_owned()))
    );
    assert_eq!(condition("(urgent = 1) AND (acknowledged_at IS NULL)"), "urgent=1andacknowledged_atisnull");
    assert_eq!(index_parts("CREATE UNIQUE INDEX g ON groups (lower(name))").0, "lower(name)");
    assert_eq!(default_value(Some("''::text".into())), "''");
    assert_eq!(default_value(Some("(0)".into())), "0");
    assert_eq!(
        sqlite_trigger("CREATE TRIGGER t_no_delete BEFORE DELETE ON t\nBEGIN SELECT 1; END"),
        ("before".into(), "delete".into())
    );
    assert_eq!(sqlite_type_class("BIGINT"), "integer");
    assert_eq!(check_clauses("CREATE TABLE t (checked_at BIGINT, n BIGINT CHECK (n > 0), CHECK(n < 9))"), 2);
    assert_ne!(postgres_type_class("integer"), "integer", "32 bits are a difference");
}
