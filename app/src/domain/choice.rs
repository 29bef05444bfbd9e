//! Closed lists of choices (categories, kinds, outcomes): stored and sent as a short code,
//! shown with the German label from the catalogue.

/// Declares an enum whose variants each have a stored code and a catalogue label.
macro_rules! choices {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal => $label:ident,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $code)] $variant,)* }

        impl $name {
            /// Every choice, in the order forms list them.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The code stored in the database and sent by forms.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            /// The German label.
            pub fn label(self) -> &'static str {
                let t = crate::i18n::texts();
                match self { $($name::$variant => t.$label,)* }
            }

            pub fn parse(code: &str) -> Option<$name> {
                match code.trim() { $($code => Some($name::$variant),)* _ => None }
            }
        }
    };
}

pub(crate) use choices;
