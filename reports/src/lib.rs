//! Workbooks: rows from workbooks ([`read`]) and import templates and error
//! workbooks ([`template`]). Bytes in, bytes out; no database.

pub mod read;
pub mod template;
