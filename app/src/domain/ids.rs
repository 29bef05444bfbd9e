//! Record ids: one type per kind of record, so a group id can never be passed where a
//! young person's id is meant, and an id from outside (a form, a URL, a sealed item) is
//! parsed exactly once, at the edge.
//!
//! Every id is a UUID as we issue them (hyphenated, lowercase hex). `parse` is for text
//! from outside; `from_store` is for values read back from our own database, which only
//! holds ids we issued (the lint check allows it in `db/` only). On the wire an id is a
//! plain string; deserializing one that is not a UUID fails, so a malformed id in a
//! request never reaches our code.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// What every id type can do, for code that parses ids of any kind.
pub trait RecordId: Sized + fmt::Display {
    fn parse_id(text: &str) -> Option<Self>;
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// An id from outside: a UUID as we issue them, surrounding blanks ignored.
            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim();
                super::is_uuid(text).then(|| Self(text.to_owned()))
            }

            /// A new time-ordered id (UUIDv7).
            pub fn fresh() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            /// An id read back from our own store.
            pub fn from_store(stored: String) -> Self {
                Self(stored)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl RecordId for $name {
            fn parse_id(text: &str) -> Option<Self> {
                Self::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        /// Ids go into links and form values as their text.
        impl leptos::prelude::IntoAttributeValue for $name {
            type Output = String;

            fn into_attribute_value(self) -> String {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).ok_or_else(|| serde::de::Error::custom(concat!("not a ", stringify!($name))))
            }
        }

        #[cfg(feature = "ssr")]
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }

            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.0, buf)
            }
        }

        #[cfg(feature = "ssr")]
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                <String as sqlx::Decode<'r, sqlx::Any>>::decode(value).map(Self)
            }
        }
    };
}

id_type!(
    /// An account.
    UserId
);
id_type!(
    /// A group home (Familienwohngruppe).
    GroupId
);
id_type!(
    /// A young person's record.
    YouthId
);
id_type!(
    /// A daily note or a visit contact.
    EntryId
);
id_type!(
    /// A help-plan goal.
    GoalId
);
id_type!(
    /// One version of a young person's help plan.
    PlanId
);
id_type!(
    /// A special incident.
    IncidentId
);
id_type!(
    /// A young person's submission (participation input or complaint).
    FeedbackId
);
id_type!(
    /// A feed item: it has the id of its source (an entry, a submission, an incident).
    ItemId
);

id_type!(
    /// An observation that a child's welfare may be at risk (§ 8a).
    ObservationId
);
id_type!(
    /// A Kinderschutz procedure (§ 8a).
    CaseId
);
id_type!(
    /// One step of a Kinderschutz procedure.
    StepId
);

impl ItemId {
    /// The incident a feed item of kind "incident" files (a feed item has its source's id).
    pub fn incident(&self) -> IncidentId {
        IncidentId(self.0.clone())
    }
}

impl EntryId {
    /// The feed item of an entry.
    pub fn item(&self) -> ItemId {
        ItemId(self.0.clone())
    }
}

impl IncidentId {
    /// The feed item of an incident.
    pub fn item(&self) -> ItemId {
        ItemId(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0191d1c2-0000-7000-8000-000000000001";

    #[test]
    fn an_id_is_parsed_once_and_keeps_its_text() {
        let id = GroupId::parse(&format!(" {ID} ")).expect("a uuid");
        assert_eq!(id.as_str(), ID);
        assert_eq!(id.to_string(), ID);
        assert_eq!(id, ID);
    }

    #[test]
    fn text_that_is_not_one_of_our_ids_is_no_id() {
        for bad in ["", "1", "' OR 1=1 --", "0191D1C2-0000-7000-8000-000000000001x", "../etc/passwd"] {
            assert_eq!(YouthId::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ids_cross_the_wire_as_plain_strings_and_malformed_ones_are_refused() {
        let id = EntryId::parse(ID).expect("a uuid");
        let json = serde_json::to_string(&id).expect("json");
        assert_eq!(json, format!("\"{ID}\""));
        assert_eq!(serde_json::from_str::<EntryId>(&json).ok(), Some(id));
        assert!(serde_json::from_str::<EntryId>("\"nope\"").is_err());
    }

    #[test]
    fn fresh_ids_are_ids() {
        let id = ItemId::fresh();
        assert_eq!(ItemId::parse(id.as_str()), Some(id));
    }
}
