//! aws-session-examples (being written).
