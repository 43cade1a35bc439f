//! The worker pool: feeder, workers and driver of one run (see the module docs of
//! [`crate::executor`] for the layout and the invariants).

use super::ExecutorOptions;
use super::callback::{CallbackRequest, ChannelTransport, Handler, answer};
use crate::function::{
    BatchStream, Callback, PanicError, Params, PartitionContext, PartitionCursor,
    PartitionFunction, PhysicalInit, check_output, in_partition,
};
use arrow::array::RecordBatch;
use arrow::array::UInt32Array;
use arrow::compute::take_record_batch;
use crossbeam_channel::{Receiver, Sender, bounded, select};
use fugue_core::{FugueError, Result, Schema};
use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// One ready call: the batches of each input, and where the call is.
pub(crate) struct Call {
    /// One stream per input (one for a map, one per zipped frame for a comap): batches in
    /// memory, or, for the one call over a frame read as a stream, the stream itself.
    pub inputs: Vec<BatchStream<'static>>,
    /// The logical partition's cursor.
    pub cursor: PartitionCursor,
}

/// Rows sent to the worker that owns their physical partitions.
pub(crate) struct Route {
    /// The input these rows come from.
    pub input: usize,
    /// The rows: the whole batch, or the rows `selection` picks from it.
    pub batch: RecordBatch,
    /// The rows of `batch` that are routed (in order), or `None` for every row.
    pub selection: Option<UInt32Array>,
    /// The physical partition of each routed row.
    pub physical: Vec<usize>,
}

/// What every thread of a run shares (owned: a run's threads are not scoped, see
/// [`run`]).
pub(crate) struct Job {
    /// The function to call.
    pub function: Arc<dyn PartitionFunction>,
    /// Its declared output schema.
    pub output_schema: Schema,
    /// The step's parameters.
    pub params: Arc<Params>,
    /// The number of inputs.
    pub inputs: usize,
    /// Whether the feeder routes rows to their owners (keys) or sends whole calls.
    pub routed: bool,
    /// Splits one complete physical partition (its batches, per input) into calls.
    #[allow(clippy::type_complexity)]
    pub split: Box<dyn Fn(usize, Vec<Vec<RecordBatch>>) -> Result<Vec<Call>> + Send + Sync>,
}

/// The cancel flag and the first error of a run.
pub(crate) struct RunState {
    cancel: AtomicBool,
    first_error: Mutex<Option<FugueError>>,
    /// Dropped at the first failure: every wait that also receives on `stopped` wakes at once.
    stop: Mutex<Option<Sender<()>>>,
    stopped: Receiver<()>,
}

impl RunState {
    fn new() -> Self {
        let (stop, stopped) = bounded(0);
        RunState {
            cancel: AtomicBool::new(false),
            first_error: Mutex::new(None),
            stop: Mutex::new(Some(stop)),
            stopped,
        }
    }

    /// Whether the run was cancelled (an error was recorded).
    pub(crate) fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Acquire)
    }

    /// Record `error` if it is the first one, and cancel the run.
    pub(crate) fn fail(&self, error: FugueError) {
        let mut slot = self
            .first_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.is_none() {
            *slot = Some(error);
        }
        self.cancel.store(true, Ordering::Release);
        drop(slot);
        self.stop
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
    }

    /// The run's outcome: its first error, if any.
    fn outcome(&self) -> Result<()> {
        let slot = self
            .first_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        slot.map_or(Ok(()), Err)
    }
}

/// The feeder's side of the work channels.
pub(crate) struct Feeder {
    calls: Option<Sender<Call>>,
    routes: Vec<Sender<Route>>,
    state: Arc<RunState>,
}

impl Feeder {
    /// Whether the run was cancelled: the feeder should stop reading its input.
    pub(crate) fn cancelled(&self) -> bool {
        self.state.cancelled()
    }

    /// The number of workers.
    pub(crate) fn workers(&self) -> usize {
        self.routes.len().max(1)
    }

    /// Send a whole call to any idle worker; `false` when the run stops.
    pub(crate) fn call(&self, call: Call) -> bool {
        match &self.calls {
            Some(tx) => self.send(tx, call),
            None => {
                self.state.fail(FugueError::Internal(
                    "a routed run was sent a whole call".into(),
                ));
                false
            }
        }
    }

    /// Send rows to the worker that owns their physical partitions; `false` when the run stops.
    pub(crate) fn route(&self, worker: usize, route: Route) -> bool {
        match self.routes.get(worker) {
            Some(tx) => self.send(tx, route),
            None => {
                self.state.fail(FugueError::Internal(format!(
                    "rows routed to worker {worker} of {}",
                    self.routes.len()
                )));
                false
            }
        }
    }

    /// A send that gives up when the run stops (a worker may be busy in a call that never
    /// returns: the feeder must not wait for it).
    fn send<T>(&self, tx: &Sender<T>, message: T) -> bool {
        select! {
            send(tx, message) -> sent => sent.is_ok(),
            recv(self.state.stopped) -> _ => false,
        }
    }
}

/// Run `feed` on a feeder thread and the calls on `options.workers` worker threads, servicing
/// outputs and callbacks on this thread until every worker is done; the first error wins.
///
/// The threads are not scoped: they own what they use. When the run fails (an error, the
/// step's time limit, a cancel: see [`crate::control`]), this returns at once; a thread still
/// inside a user call is detached, and ends when the call returns (its output and callbacks
/// are refused: their channels are closed). A run that succeeds joins every thread first.
pub(crate) fn run<F>(
    job: Job,
    feed: F,
    handler: Option<Handler<'_>>,
    sink: &mut dyn FnMut(RecordBatch) -> Result<()>,
    options: &ExecutorOptions,
) -> Result<()>
where
    F: FnOnce(&Feeder) -> Result<()> + Send + 'static,
{
    let control = crate::control::current();
    if let Some(control) = &control {
        control.check()?;
    }
    let workers = options.worker_count();
    let capacity = options.capacity();
    let state = Arc::new(RunState::new());
    let (out_tx, out_rx) = bounded::<Vec<RecordBatch>>(capacity);
    let (request_tx, request_rx) = bounded::<CallbackRequest>(workers);
    let callback = handler
        .is_some()
        .then(|| Callback::new(ChannelTransport::new(request_tx.clone())));
    let (call_tx, call_rx) = bounded::<Call>(capacity);
    let (route_txs, route_rxs): (Vec<_>, Vec<_>) =
        (0..workers).map(|_| bounded::<Route>(capacity)).unzip();
    // The feeder owns the only senders of the channels it uses; the others are dropped now, so
    // that the workers see them closed.
    let feeder = if job.routed {
        drop(call_tx);
        Feeder {
            calls: None,
            routes: route_txs,
            state: state.clone(),
        }
    } else {
        drop(route_txs);
        Feeder {
            calls: Some(call_tx),
            routes: Vec::new(),
            state: state.clone(),
        }
    };

    let job = Arc::new(job);
    let mut threads = Vec::with_capacity(workers + 1);
    let feeder_state = state.clone();
    match spawn("fugue-feeder", move || {
        match catch_unwind(AssertUnwindSafe(|| feed(&feeder))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => feeder_state.fail(e),
            Err(payload) => feeder_state.fail(FugueError::Internal(format!(
                "the executor's feeder panicked: {}",
                panic_message(payload.as_ref())
            ))),
        }
        // Closing the work channels tells the workers that the input is over.
        drop(feeder);
    }) {
        Ok(thread) => threads.push(thread),
        Err(e) => state.fail(e),
    }
    for (i, route_rx) in route_rxs.into_iter().enumerate() {
        if state.cancelled() {
            break;
        }
        let worker = Worker {
            job: job.clone(),
            state: state.clone(),
            calls: call_rx.clone(),
            routes: route_rx,
            out: out_tx.clone(),
            pending: RefCell::new(Pending::default()),
            callback: callback.clone(),
            init: RefCell::new(PhysicalInit::default()),
        };
        match spawn(&format!("fugue-worker-{i}"), move || worker.run()) {
            Ok(thread) => threads.push(thread),
            Err(e) => state.fail(e),
        }
    }
    drop(out_tx);
    drop(call_rx);
    drop(callback);
    // The driver keeps a request sender alive until it returns, so `request_rx` never
    // disconnects while it waits.
    drive(
        &out_rx,
        &request_rx,
        handler,
        sink,
        &state,
        control.as_ref(),
    );
    // Late callbacks (a `Callback` kept by a function, a detached call's) fail from now on, and
    // so do a detached call's outputs.
    drop(request_tx);
    drop(request_rx);
    drop(out_rx);
    if !state.cancelled() {
        for thread in threads {
            if thread.join().is_err() {
                state.fail(FugueError::Internal("an executor thread panicked".into()));
            }
        }
    }
    state.outcome()
}

/// Spawn a named thread of a run.
fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .map_err(|e| FugueError::Io {
            action: "starting a thread",
            path: name.to_string(),
            source: e,
        })
}

/// The driver loop, on the caller's thread: outputs to the sink, callback requests to the
/// handler, until every worker has dropped its output sender.
///
/// Returns at once when the run fails, or when `control` stops the step (cancelled, or past
/// its time limit: looked at every [`POLL`](crate::control::POLL)).
fn drive(
    out_rx: &Receiver<Vec<RecordBatch>>,
    request_rx: &Receiver<CallbackRequest>,
    mut handler: Option<Handler<'_>>,
    sink: &mut dyn FnMut(RecordBatch) -> Result<()>,
    state: &RunState,
    control: Option<&crate::control::Control>,
) {
    let ticks = match control {
        Some(_) => crossbeam_channel::tick(crate::control::POLL),
        None => crossbeam_channel::never(),
    };
    loop {
        if state.cancelled() {
            return;
        }
        select! {
            recv(out_rx) -> message => match message {
                Ok(batches) => {
                    for batch in batches {
                        if state.cancelled() {
                            break;
                        }
                        // A panicking sink must not unwind past workers blocked on this channel.
                        match catch_unwind(AssertUnwindSafe(|| sink(batch))) {
                            Ok(Ok(())) => {}
                            Ok(Err(e)) => state.fail(e),
                            Err(payload) => state.fail(FugueError::External {
                                context: "the output sink panicked".into(),
                                source: Box::new(PanicError::from_payload(payload.as_ref())),
                            }),
                        }
                    }
                }
                Err(_) => break,
            },
            recv(request_rx) -> message => {
                if let Ok(request) = message {
                    answer(request, handler.as_mut(), state);
                }
            },
            // Closed at the first failure.
            recv(state.stopped) -> _ => return,
            recv(ticks) -> _ => {
                if let Some(Err(e)) = control.map(crate::control::Control::check) {
                    state.fail(e);
                    return;
                }
            },
        }
    }
}

/// One worker thread.
struct Worker {
    job: Arc<Job>,
    state: Arc<RunState>,
    calls: Receiver<Call>,
    routes: Receiver<Route>,
    out: Sender<Vec<RecordBatch>>,
    /// Output batches not sent yet (see [`OUTPUT_MESSAGE_ROWS`]).
    pending: RefCell<Pending>,
    callback: Option<Callback>,
    /// The state of the physical partition being called (`on_init`).
    init: RefCell<PhysicalInit>,
}

/// Output batches are handed to the driver in messages of at least this many rows (or fewer at
/// the end of a worker's work): a function that returns many small batches (one per key of a
/// grouped transform) costs one channel hand-off, and one wake-up of the driver, per message
/// instead of per batch. The order of a call's batches is kept.
pub(crate) const OUTPUT_MESSAGE_ROWS: usize = 65_536;

/// A worker's output batches waiting to be sent.
#[derive(Default)]
struct Pending {
    batches: Vec<RecordBatch>,
    rows: usize,
}

impl Worker {
    fn run(self) {
        match catch_unwind(AssertUnwindSafe(|| self.work())) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.state.fail(e),
            Err(payload) => self.state.fail(FugueError::Internal(format!(
                "an executor worker panicked: {}",
                panic_message(payload.as_ref())
            ))),
        }
        // After a failure, the queued outputs are dropped.
        self.flush();
    }

    fn work(&self) -> Result<()> {
        // Whole calls (no keys); after a failure the channel is drained without calling.
        for call in self.calls.iter() {
            if !self.state.cancelled() {
                self.call(call);
            }
        }
        // Routed rows (keys): gather the physical partitions this worker owns.
        let mut owned: BTreeMap<usize, Vec<Vec<RecordBatch>>> = BTreeMap::new();
        for route in self.routes.iter() {
            if !self.state.cancelled() {
                self.gather(&mut owned, route)?;
            }
        }
        for (physical_no, inputs) in owned {
            if self.state.cancelled() {
                break;
            }
            for call in (self.job.split)(physical_no, inputs)? {
                if self.state.cancelled() {
                    break;
                }
                self.call(call);
            }
        }
        Ok(())
    }

    /// Add routed rows to the physical partitions they belong to.
    fn gather(
        &self,
        owned: &mut BTreeMap<usize, Vec<Vec<RecordBatch>>>,
        route: Route,
    ) -> Result<()> {
        let Route {
            input,
            batch,
            selection,
            physical,
        } = route;
        let batch = match selection {
            Some(rows) => take_record_batch(&batch, &rows)?,
            None => batch,
        };
        let mut slot = |p: usize, b: RecordBatch| {
            let inputs = owned
                .entry(p)
                .or_insert_with(|| vec![Vec::new(); self.job.inputs]);
            if let Some(list) = inputs.get_mut(input) {
                list.push(b);
            }
        };
        match physical.first() {
            None => Ok(()),
            Some(first) if physical.iter().all(|p| p == first) => {
                slot(*first, batch);
                Ok(())
            }
            Some(_) => {
                let mut rows: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
                for (i, p) in physical.iter().enumerate() {
                    rows.entry(*p).or_default().push(i as u32);
                }
                for (p, indices) in rows {
                    slot(p, take_record_batch(&batch, &UInt32Array::from(indices))?);
                }
                Ok(())
            }
        }
    }

    /// Queue one output batch; the queue is sent once it holds [`OUTPUT_MESSAGE_ROWS`] rows.
    /// `false` when the driver is gone.
    fn push(&self, batch: RecordBatch) -> bool {
        let mut pending = self.pending.borrow_mut();
        pending.rows += batch.num_rows();
        pending.batches.push(batch);
        if pending.rows < OUTPUT_MESSAGE_ROWS {
            return true;
        }
        let batches = std::mem::take(&mut pending.batches);
        pending.rows = 0;
        drop(pending);
        self.out.send(batches).is_ok()
    }

    /// Send the queued output batches (at the end of the worker's work).
    fn flush(&self) {
        let Ok(mut pending) = self.pending.try_borrow_mut() else {
            return;
        };
        let batches = std::mem::take(&mut pending.batches);
        pending.rows = 0;
        drop(pending);
        if !batches.is_empty() && !self.state.cancelled() {
            let _ = self.out.send(batches);
        }
    }

    /// Run one call; its failure (error or panic) is recorded with the function's name and the
    /// partition's keys.
    fn call(&self, call: Call) {
        let function = self.job.function.as_ref();
        let name = function.name();
        let cursor = call.cursor.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<()> {
            let state = self
                .init
                .borrow_mut()
                .state(function, &call.cursor, &self.job.params)?;
            let ctx = PartitionContext {
                state,
                cursor: call.cursor,
                params: self.job.params.clone(),
                callback: self.callback.clone(),
            };
            let inputs = call
                .inputs
                .into_iter()
                .map(|stream| cancellable(stream, &self.state))
                .collect();
            let output = function
                .call(ctx, inputs)
                .map_err(|e| in_partition(name, &cursor, e))?;
            for batch in output {
                if self.state.cancelled() {
                    return Ok(());
                }
                let batch = batch.map_err(|e| in_partition(name, &cursor, e))?;
                check_output(name, &self.job.output_schema, &batch)?;
                if !self.push(batch) {
                    return Ok(());
                }
            }
            Ok(())
        }));
        let error = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(e)) => e,
            Err(payload) => in_partition(
                name,
                &cursor,
                FugueError::External {
                    context: "the function panicked".into(),
                    source: Box::new(PanicError::from_payload(payload.as_ref())),
                },
            ),
        };
        self.state.fail(error);
    }
}

/// An input stream that ends with an error once the run is cancelled, so that a function that
/// reads it stops promptly.
fn cancellable<'a>(stream: BatchStream<'static>, state: &'a RunState) -> BatchStream<'a> {
    let mut stream = stream;
    let mut stopped = false;
    Box::new(std::iter::from_fn(move || {
        if stopped {
            return None;
        }
        if state.cancelled() {
            stopped = true;
            return Some(Err(cancelled_error()));
        }
        stream.next()
    }))
}

/// The error a function sees when it reads its input after the run failed elsewhere.
pub(crate) fn cancelled_error() -> FugueError {
    FugueError::InvalidOperation("the run was cancelled because another partition failed".into())
}

/// The message of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    PanicError::from_payload(payload).message().to_string()
}
