//! Extensions (being written).
