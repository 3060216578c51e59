//! The crate's one logging shim: `defmt` with the feature, nothing without (arguments are still
//! type-checked). Secret types implement neither `defmt::Format` nor `Display`.
#![allow(unused_macros)] // each macro is used by some feature combinations only

#[cfg(feature = "defmt")]
macro_rules! debug { ($($arg:tt)*) => { ::defmt::debug!($($arg)*) }; }
#[cfg(feature = "defmt")]
macro_rules! warn { ($($arg:tt)*) => { ::defmt::warn!($($arg)*) }; }

#[cfg(not(feature = "defmt"))]
macro_rules! debug { ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }}; }
#[cfg(not(feature = "defmt"))]
macro_rules! warn { ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }}; }
