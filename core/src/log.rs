//! The crate's one logging shim.
#![allow(unused_macros)] // each macro is used by some feature combinations only
//!
//! With the `defmt` feature the macros forward to `defmt`; without it they evaluate nothing but
//! still type-check their arguments. Nothing secret is ever passed to them: secret types do not
//! implement `defmt::Format` or `Display`, so a mistake fails to compile.

#[cfg(feature = "defmt")]
macro_rules! trace { ($($arg:tt)*) => { ::defmt::trace!($($arg)*) }; }
#[cfg(feature = "defmt")]
macro_rules! debug { ($($arg:tt)*) => { ::defmt::debug!($($arg)*) }; }
#[cfg(feature = "defmt")]
macro_rules! warn { ($($arg:tt)*) => { ::defmt::warn!($($arg)*) }; }

#[cfg(not(feature = "defmt"))]
macro_rules! trace { ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }}; }
#[cfg(not(feature = "defmt"))]
macro_rules! debug { ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }}; }
#[cfg(not(feature = "defmt"))]
macro_rules! warn { ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }}; }

// The request log of the log-level handlers (`crate::request_log`): lines a user asked for with
// `Config::log_level`, through `defmt` on devices and the `log` crate (target `aws_session`) on
// hosts; nothing without either feature. Arguments are `&str` and integers only.
#[cfg(feature = "defmt")]
macro_rules! request_log { ($($arg:tt)*) => { ::defmt::info!($($arg)*) }; }
#[cfg(all(feature = "log", not(feature = "defmt")))]
macro_rules! request_log { ($($arg:tt)*) => { ::log::info!(target: "aws_session", $($arg)*) }; }
#[cfg(not(any(feature = "defmt", feature = "log")))]
macro_rules! request_log { ($fmt:literal $(, $arg:expr)* $(,)?) => {{ $( let _ = &$arg; )* }}; }
