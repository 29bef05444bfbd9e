//! The integration tests: one binary, a real server on a random port for each test, on a
//! real SQLite file — or, when `TEST_DATABASE_URL` names a PostgreSQL server, on a fresh
//! database there. `make test` runs this binary once for each.

mod access_matrix;
mod auth;
mod backup;
mod common;
mod durability;
mod entries;
mod feed;
mod feed_bench;
mod feedback;
mod incidents;
mod instances;
mod licence;
mod load_bench;
mod mail;
mod master_data;
mod own_account;
mod plan;
mod protection;
mod records;
mod report_bench;
mod reports;
mod request_context;
mod schema;
mod security;
mod server_process;
mod startup;
mod store;
mod talks;
