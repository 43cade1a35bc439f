//! The callback transport of the local engines (reference §7): a function's
//! [`Callback::call`](crate::function::Callback::call) on a worker thread becomes a request on a
//! bounded channel; the driver thread runs the [`Handler`] and sends the answer back on a
//! one-slot reply channel. A call blocks until its answer, so the calls of one partition reach
//! the handler in order.

use super::pool::{RunState, cancelled_error};
use crate::function::PanicError;
use crate::function::{Callback, CallbackTransport};
use crate::value::Value;
use crossbeam_channel::{Sender, bounded};
use fugue_core::{FugueError, Result};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The driver-side handler of a run's callback: called on the thread that started the run, one
/// call at a time, so it may be a plain `FnMut` that is neither `Send` nor `Sync` (a progress
/// bar, a `RefCell`, a counter on the stack).
///
/// Its `Err` fails the run with that error (the function that called it receives an error
/// saying the handler failed); a panic in it fails the run too.
pub struct Handler<'h> {
    f: Box<dyn FnMut(Value) -> Result<Value> + 'h>,
}

impl<'h> Handler<'h> {
    /// A handler running `f`.
    pub fn new(f: impl FnMut(Value) -> Result<Value> + 'h) -> Self {
        Handler { f: Box::new(f) }
    }
}

/// A callback that already has its own transport (for instance one given to a distributed
/// engine) is served by forwarding each call to it from the driver thread.
impl From<Callback> for Handler<'static> {
    fn from(callback: Callback) -> Self {
        Handler::new(move |value| callback.call(value))
    }
}

impl fmt::Debug for Handler<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Handler")
    }
}

/// One call of the callback, waiting for its answer.
pub(crate) struct CallbackRequest {
    value: Value,
    reply: Sender<Result<Value>>,
}

/// The worker side: sends requests to the driver and waits for the answers.
pub(crate) struct ChannelTransport {
    requests: Sender<CallbackRequest>,
}

impl ChannelTransport {
    pub(crate) fn new(requests: Sender<CallbackRequest>) -> Self {
        ChannelTransport { requests }
    }
}

fn run_ended() -> FugueError {
    FugueError::InvalidOperation(
        "the callback was called after its run ended; callbacks work only during the run".into(),
    )
}

impl CallbackTransport for ChannelTransport {
    fn call(&self, value: Value) -> Result<Value> {
        let (reply, answer) = bounded(1);
        self.requests
            .send(CallbackRequest { value, reply })
            .map_err(|_| run_ended())?;
        answer.recv().map_err(|_| run_ended())?
    }
}

/// Answer one request on the driver thread. After a failure the handler is not called any
/// more; its own error (or panic) is recorded as the run's error.
pub(crate) fn answer(
    request: CallbackRequest,
    handler: Option<&mut Handler<'_>>,
    state: &RunState,
) {
    let CallbackRequest { value, reply } = request;
    let result = match handler {
        _ if state.cancelled() => Err(cancelled_error()),
        None => Err(FugueError::Internal(
            "a callback request reached a run without a handler".into(),
        )),
        Some(handler) => match catch_unwind(AssertUnwindSafe(|| (handler.f)(value))) {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(e)) => {
                state.fail(e);
                Err(handler_failed())
            }
            Err(payload) => {
                state.fail(FugueError::External {
                    context: "the callback handler panicked".into(),
                    source: Box::new(PanicError::from_payload(payload.as_ref())),
                });
                Err(handler_failed())
            }
        },
    };
    // The worker may have stopped waiting (it cannot: calls block); ignore a closed reply.
    let _ = reply.send(result);
}

fn handler_failed() -> FugueError {
    FugueError::InvalidOperation(
        "the callback handler failed; the run fails with the handler's error".into(),
    )
}
