//! [`SystemClock`]: the operating system's wall clock as core's [`Clock`].

use aws_session_core::platform::{Clock, ErrorKind};
use aws_session_core::time::UnixTime;

/// Reads [`std::time::SystemTime`]. A clock set before 1970 reports [`ErrorKind::ClockUnset`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    type Error = ErrorKind;

    fn now(&self) -> Result<UnixTime, ErrorKind> {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| UnixTime::from_secs(d.as_secs()))
            .map_err(|_| ErrorKind::ClockUnset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_after_2024() {
        assert!(SystemClock.now().unwrap().secs() > 1_704_067_200);
    }
}
