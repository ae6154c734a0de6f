//! Workbooks: rows from workbooks ([`read`]), reports ([`export`]), import templates and error
//! workbooks ([`template`]). Bytes in, bytes out; no database.

pub mod export;
pub mod read;
pub mod template;
