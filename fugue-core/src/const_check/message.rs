//! A message built in const evaluation: a fixed-size byte buffer with `const fn` writers, so a
//! compile-time check can say everything (the step, the column, both schemas, a suggestion)
//! and then `panic!("{}", message.as_str())`, the one panic form const evaluation accepts.

use std::fmt;

/// The capacity of a [`Message`] in bytes; a longer message is cut and ends with `...`.
pub const MESSAGE_CAPACITY: usize = 1536;

/// A message written in const evaluation.
#[derive(Clone, Copy)]
pub struct Message {
    bytes: [u8; MESSAGE_CAPACITY],
    len: usize,
    truncated: bool,
}

impl Message {
    /// An empty message.
    pub const fn new() -> Message {
        Message {
            bytes: [0; MESSAGE_CAPACITY],
            len: 0,
            truncated: false,
        }
    }

    /// Append `text`; what does not fit is dropped (at a character boundary) and the message
    /// ends with `...`.
    pub const fn push(&mut self, text: &str) {
        if self.truncated {
            return;
        }
        let text = text.as_bytes();
        let room = MESSAGE_CAPACITY - 3 - self.len;
        let mut n = text.len();
        if n > room {
            n = room;
            // Do not cut a character: back off to the start of the cut one.
            while n > 0 && (text[n] & 0xC0) == 0x80 {
                n -= 1;
            }
        }
        let mut i = 0;
        while i < n {
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
        if n < text.len() {
            self.truncated = true;
            self.bytes[self.len] = b'.';
            self.bytes[self.len + 1] = b'.';
            self.bytes[self.len + 2] = b'.';
            self.len += 3;
        }
    }

    /// Append one ASCII character.
    pub const fn push_byte(&mut self, byte: u8) {
        self.push_bytes(&[byte]);
    }

    const fn push_bytes(&mut self, bytes: &[u8]) {
        match std::str::from_utf8(bytes) {
            Ok(s) => self.push(s),
            Err(_) => self.push("?"),
        }
    }

    /// Append a number in decimal.
    pub const fn push_usize(&mut self, n: usize) {
        let mut digits = [0u8; 20];
        let mut count = 0;
        let mut n = n;
        loop {
            digits[count] = b'0' + (n % 10) as u8;
            count += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        while count > 0 {
            count -= 1;
            self.push_byte(digits[count]);
        }
    }

    /// Append `name` in backticks.
    pub const fn push_ticked(&mut self, name: &str) {
        self.push_byte(b'`');
        self.push(name);
        self.push_byte(b'`');
    }

    /// The number of bytes written.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The text.
    pub const fn as_str(&self) -> &str {
        let (head, _) = self.bytes.split_at(self.len);
        match std::str::from_utf8(head) {
            Ok(s) => s,
            Err(e) => {
                let (valid, _) = head.split_at(e.valid_up_to());
                match std::str::from_utf8(valid) {
                    Ok(s) => s,
                    Err(_) => "",
                }
            }
        }
    }

    /// Whether the message was cut.
    pub const fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// Whether the text equals `other`.
    pub const fn eq_str(&self, other: &str) -> bool {
        super::str_eq(self.as_str(), other)
    }
}

impl Default for Message {
    fn default() -> Self {
        Message::new()
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Fail const evaluation with the message of a failed check (`error[E0080]: evaluation
/// panicked: <message>`); at run time, panic with it.
pub const fn require(check: Result<(), Message>) {
    if let Err(message) = check {
        panic!("{}", message.as_str())
    }
}
