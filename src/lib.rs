pub mod extract;
pub mod ir;
pub mod python;
pub mod sql;
