//! aws-session-std (being written).
