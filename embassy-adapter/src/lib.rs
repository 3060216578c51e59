//! aws-session-embassy (being written).
