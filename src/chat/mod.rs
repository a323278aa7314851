//! Lab 9, the capstone: a group chat over UDP, as the course builds it.
//!
//! * [`proto`]: the course's wire protocol (`L`, `C`, `Q`, `OK`, `EXIT`,
//!   notices), byte for byte, the name rules and the notices' wording (en/zh);
//! * [`server`]: the room (name → address), batched UDP sends and receives,
//!   dead clients found through ICMP errors, the administrator's child;
//! * [`client`]: login with retries, the sender and the receiver processes;
//! * [`bench`](mod@bench): many clients against any server that speaks the protocol;
//! * [`sys`]: sockets with big buffers, signals on a descriptor, a child
//!   that dies with its parent.

pub mod bench;
pub mod client;
pub mod proto;
pub mod server;
pub mod sys;
