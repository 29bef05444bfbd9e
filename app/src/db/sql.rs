//! Dynamic SQL with numbered placeholders, for the few queries whose shape depends on
//! filters (the feed, the submissions list).
//!
//! `sqlx::QueryBuilder` writes `?` placeholders through the `Any` driver, which PostgreSQL
//! rejects (launchbadge/sqlx#3000, open in 0.8.6); both of our dialects accept `$n`, so
//! this builder numbers them as it binds.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Arguments, FromRow};

enum Value {
    Text(String),
    Int(i64),
}

/// A statement being written, with its bound values in placeholder order.
#[derive(Default)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql { text: text.to_owned(), values: Vec::new() }
    }

    /// Appends SQL text (never a value: values are bound).
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for a text value.
    pub fn bind(&mut self, value: impl Into<String>) -> &mut Sql {
        self.values.push(Value::Text(value.into()));
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    /// Appends a placeholder for an integer value.
    pub fn bind_int(&mut self, value: i64) -> &mut Sql {
        self.values.push(Value::Int(value));
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    /// Binds a text value and returns its placeholder, for text written later (or more
    /// than once).
    pub fn arg(&mut self, value: impl Into<String>) -> String {
        self.values.push(Value::Text(value.into()));
        format!("${}", self.values.len())
    }

    /// Binds an integer value and returns its placeholder.
    pub fn arg_int(&mut self, value: i64) -> String {
        self.values.push(Value::Int(value));
        format!("${}", self.values.len())
    }

    /// Appends `$a, $b, …` for a non-empty list of text values.
    pub fn bind_list<T: AsRef<str>>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Sql {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(value.as_ref());
        }
        self
    }

    fn arguments(&self) -> Result<AnyArguments<'_>, sqlx::Error> {
        let mut args = AnyArguments::default();
        for value in &self.values {
            match value {
                Value::Text(text) => args.add(text.as_str()),
                Value::Int(n) => args.add(*n),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(args)
    }

    pub async fn fetch_all<T>(&self, conn: &mut super::Conn) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        sqlx::query_as_with::<Any, T, _>(&self.text, self.arguments()?).fetch_all(conn).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_bind_order() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind("x").push(" AND b IN (").bind_list(["y", "z"]).push(") AND c < ").bind_int(3);
        assert_eq!(sql.text, "SELECT 1 WHERE a = $1 AND b IN ($2, $3) AND c < $4");
        assert_eq!(sql.values.len(), 4);
    }
}
