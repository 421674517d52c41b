//! `string_enum!`: an enum whose variants each have one fixed name (in the
//! database, the config, the command line), with `ALL`, `as_str`,
//! `Display` and `FromStr` made from one list, so a name is written once.

/// Declares an enum whose variants each have a name: `ALL` (every variant,
/// in order), `as_str`, `Display` (the name) and `FromStr` (from the name;
/// the error names the kind of thing and every name known).
///
/// (`tests` below shows one.)
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: [$name; <[&str]>::len(&[$($text),+])] = [$($name::$variant),+];

            /// The variant's name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        format!(
                            "unknown {} `{s}` (known: {})",
                            $what,
                            [$($text),+].join(", ")
                        )
                    })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::string_enum! {
        /// A colour.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Colour("colour") {
            Red => "red",
            DarkBlue => "dark_blue",
        }
    }

    #[test]
    fn a_name_is_written_once_and_read_back() {
        assert_eq!(Colour::ALL, [Colour::Red, Colour::DarkBlue]);
        assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
        assert_eq!(Colour::DarkBlue.to_string(), "dark_blue");
        for c in Colour::ALL {
            assert_eq!(c.as_str().parse::<Colour>(), Ok(c));
        }
        assert_eq!(
            "green".parse::<Colour>(),
            Err("unknown colour `green` (known: red, dark_blue)".to_owned())
        );
    }

    #[test]
    fn the_model_s_names_are_those_the_database_checks() {
        use crate::{Category, Grain, Outcome};
        // The CHECK constraints of sql/migrations name these.
        assert_eq!(
            Outcome::ALL.map(Outcome::as_str),
            [
                "ok",
                "no_data",
                "http_error",
                "transport_error",
                "parse_error"
            ]
        );
        assert_eq!(
            Grain::ALL.map(Grain::as_str),
            ["day", "month", "quarter", "year", "snapshot"]
        );
        assert_eq!(
            Category::ALL.map(Category::as_str),
            ["language", "framework", "practice"]
        );
    }
}
