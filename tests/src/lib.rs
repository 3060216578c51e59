//! aws-session-tests (being written).
