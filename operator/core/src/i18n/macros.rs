//! The `t!` macro. It names `$crate::i18n` paths, so it lives apart from the catalogue those
//! paths re-export (a macro in `catalogue.rs` would tie it to its parent in a circle).

/// A catalogue message in both languages: `t!("policy-cloud-denied")` or
/// `t!("policy-cloud-denied", object = name, count = n)`. Argument values: strings, integers
/// and floats (formatted per language), a [`Text`](crate::i18n::Text) (shown in the language
/// rendered), [`date`](crate::i18n::date), or anything else that is `Display`.
#[macro_export]
macro_rules! t {
    ($id:literal $(,)?) => {
        $crate::i18n::text($id, &[])
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::text(
            $id,
            &[$((stringify!($name), {
                #[allow(unused_imports)]
                use $crate::i18n::{ViaDisplay as _, ViaInto as _};
                (&&$crate::i18n::ArgOf($value)).into_arg()
            })),+],
        )
    };
}
