//! labkit: a Rust lab kit for Linux process programming.
//!
//! Each lab is a small binary (`src/bin/<lab-id>.rs`) that shows one concept
//! with real evidence. The plumbing they share lives here, once:
//!
//! * [`out`]: every output line says who printed it, `[role PID] ...`;
//! * [`process`]: fork (child always ends in `_exit`), wait and status decoding, subreaper;
//! * [`procfs`]: process state, parent and name from `/proc/<pid>/stat`;
//! * [`delay`]: every delay is a flag (`2s`, `250ms`);
//! * [`signals`]: signal names as students type them (`KILL`, `SIGKILL`, `9`);
//! * [`reaper`]: run a command under a subreaper and leave nothing behind;
//! * [`labs`]: the manifest of the labs, in course order;
//! * [`grade`]: each lab's checks, run against any program's command line.

pub mod delay;
pub mod grade;
pub mod labs;
pub mod out;
pub mod process;
pub mod procfs;
pub mod reaper;
pub mod signals;
