//! Crate-internal macros.
#![allow(unused_macros)] // `selftests!` expands only under `test` or the `selftest` feature

/// Declares a module's no_std self-tests once, for two runners.
///
/// Each `fn name() { ... }` becomes a public function (asserting with the usual `assert!` family; a
/// failure panics), an entry in the module's `ALL` table that firmware images iterate under QEMU,
/// and — on the host — an ordinary `#[test]`.
macro_rules! selftests {
    ($( $(#[$attr:meta])* fn $name:ident() $body:block )*) => {
        $( $(#[$attr])* #[allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] pub fn $name() $body )*

        /// Every self-test of this module, in declaration order.
        pub const ALL: &[$crate::selftest::SelfTest] = &[
            $( $crate::selftest::SelfTest { name: concat!(module_path!(), "::", stringify!($name)), run: $name } ),*
        ];

        #[cfg(test)]
        mod host {
            $( #[test] fn $name() { super::$name() } )*
        }
    };
}
