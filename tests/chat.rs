//! Lab 9, the chat: the graders on the kit's server and client, interop
//! with course-style Python programs, and the client in a real terminal.

mod common;
use common::grade_kit;

#[test]
fn lab09_chat_server() {
    grade_kit("chat", "chat-server");
}

#[test]
fn lab09_chat_client() {
    grade_kit("chat", "chat-client");
}
