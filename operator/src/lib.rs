//! The library half of the `pusdata` binary: the parts that tests and other binaries of the
//! workspace drive from outside (today the site-to-site agent and its client).

pub mod agent;
