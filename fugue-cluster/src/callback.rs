//! Callbacks from transformers on executors to the driver (reference §7), over Arrow Flight.
//!
//! For a step with a callback, the driver starts a [`CallbackServer`]: an Arrow Flight
//! service bound to `fugue.rpc.flight_server.host:port` (loopback and any free port by
//! default) that answers one action, `fugue.callback`. Each server has a fresh secret token
//! (256 random bits); a call without it, or with another one, is refused
//! (`Unauthenticated`) and never reaches the handler. Executors reach the server with a
//! [`CallbackClient`], which waits at most `fugue.rpc.flight_server.timeout` per call. Values
//! travel as one-row Arrow IPC streams ([`crate::wire`]), so every Fugue type keeps its type.

use crate::wire::{CallbackAddress, decode_value, encode_value};
use arrow_flight::flight_service_client::FlightServiceClient;
use arrow_flight::flight_service_server::{FlightService, FlightServiceServer};
use arrow_flight::{
    Action, ActionType, Criteria, Empty, FlightData, FlightDescriptor, FlightInfo,
    HandshakeRequest, HandshakeResponse, PollInfo, PutResult, SchemaResult, Ticket,
};
use fugue_core::{FugueConfig, FugueError, Result};
use fugue_runtime::Value;
use fugue_runtime::function::{Callback, CallbackTransport};
use futures::stream::BoxStream;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;
use tonic::{Request, Response, Status, Streaming};

/// The action name of a callback call.
pub const CALLBACK_ACTION: &str = "fugue.callback";

/// The metadata key that carries the token.
const TOKEN_HEADER: &str = "authorization";

/// A fresh secret: 256 bits from the operating system's generator.
fn new_token() -> String {
    let mut token = String::with_capacity(64);
    for _ in 0..2 {
        token.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    token
}

struct CallbackService {
    callback: Callback,
    token: String,
}

type Stream<T> = BoxStream<'static, std::result::Result<T, Status>>;

fn unsupported<T>() -> std::result::Result<T, Status> {
    Err(Status::unimplemented(
        "the Fugue callback server only answers the `fugue.callback` action",
    ))
}

#[tonic::async_trait]
impl FlightService for CallbackService {
    type HandshakeStream = Stream<HandshakeResponse>;
    type ListFlightsStream = Stream<FlightInfo>;
    type DoGetStream = Stream<FlightData>;
    type DoPutStream = Stream<PutResult>;
    type DoExchangeStream = Stream<FlightData>;
    type DoActionStream = Stream<arrow_flight::Result>;
    type ListActionsStream = Stream<ActionType>;

    async fn handshake(
        &self,
        _: Request<Streaming<HandshakeRequest>>,
    ) -> std::result::Result<Response<Self::HandshakeStream>, Status> {
        unsupported()
    }

    async fn list_flights(
        &self,
        _: Request<Criteria>,
    ) -> std::result::Result<Response<Self::ListFlightsStream>, Status> {
        unsupported()
    }

    async fn get_flight_info(
        &self,
        _: Request<FlightDescriptor>,
    ) -> std::result::Result<Response<FlightInfo>, Status> {
        unsupported()
    }

    async fn poll_flight_info(
        &self,
        _: Request<FlightDescriptor>,
    ) -> std::result::Result<Response<PollInfo>, Status> {
        unsupported()
    }

    async fn get_schema(
        &self,
        _: Request<FlightDescriptor>,
    ) -> std::result::Result<Response<SchemaResult>, Status> {
        unsupported()
    }

    async fn do_get(
        &self,
        _: Request<Ticket>,
    ) -> std::result::Result<Response<Self::DoGetStream>, Status> {
        unsupported()
    }

    async fn do_put(
        &self,
        _: Request<Streaming<FlightData>>,
    ) -> std::result::Result<Response<Self::DoPutStream>, Status> {
        unsupported()
    }

    async fn do_exchange(
        &self,
        _: Request<Streaming<FlightData>>,
    ) -> std::result::Result<Response<Self::DoExchangeStream>, Status> {
        unsupported()
    }

    async fn do_action(
        &self,
        request: Request<Action>,
    ) -> std::result::Result<Response<Self::DoActionStream>, Status> {
        let presented = request
            .metadata()
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if presented != Some(self.token.as_str()) {
            return Err(Status::unauthenticated(
                "the callback call has no valid token for this run",
            ));
        }
        let action = request.into_inner();
        if action.r#type != CALLBACK_ACTION {
            return unsupported();
        }
        let value =
            decode_value(&action.body).map_err(|e| Status::invalid_argument(e.to_string()))?;
        let callback = self.callback.clone();
        let answer = tokio::task::spawn_blocking(move || callback.call(value))
            .await
            .map_err(|e| Status::internal(format!("the callback handler panicked: {e}")))?
            .map_err(|e| Status::aborted(e.to_string()))?;
        let body = encode_value(&answer).map_err(|e| Status::internal(e.to_string()))?;
        let result = arrow_flight::Result { body: body.into() };
        Ok(Response::new(Box::pin(futures::stream::iter([Ok(result)]))))
    }

    async fn list_actions(
        &self,
        _: Request<Empty>,
    ) -> std::result::Result<Response<Self::ListActionsStream>, Status> {
        let action = ActionType {
            r#type: CALLBACK_ACTION.to_string(),
            description: "call the driver's callback handler with one value".to_string(),
        };
        Ok(Response::new(Box::pin(futures::stream::iter([Ok(action)]))))
    }
}

/// The driver's callback server for one step; stops when dropped.
pub struct CallbackServer {
    address: CallbackAddress,
    local: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl std::fmt::Debug for CallbackServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackServer")
            .field("url", &self.address.url)
            .finish_non_exhaustive()
    }
}

impl CallbackServer {
    /// Serve `callback` on the configured address (call inside a tokio runtime, which then
    /// runs the server).
    pub async fn start(callback: Callback, conf: &FugueConfig) -> Result<Self> {
        let options = &conf.fugue.rpc.flight_server;
        let host = options.host.trim().to_string();
        let port = options.port.unwrap_or(0);
        let listener = tokio::net::TcpListener::bind((host.as_str(), port))
            .await
            .map_err(|e| {
                FugueError::external(
                    format!(
                        "cannot bind the callback server to `{host}:{port}` \
                         (fugue.rpc.flight_server.host / .port)"
                    ),
                    e.to_string(),
                )
            })?;
        let local = listener
            .local_addr()
            .map_err(|e| FugueError::external("cannot start the callback server", e.to_string()))?;
        let token = new_token();
        let service = FlightServiceServer::new(CallbackService {
            callback,
            token: token.clone(),
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        tokio::spawn(async move {
            let served = tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming_shutdown(incoming, async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!("the callback server stopped: {e}");
            }
        });
        let url_host = if local.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            local.ip().to_string()
        };
        let timeout = options.timeout.unwrap_or(Duration::from_secs(60));
        Ok(CallbackServer {
            address: CallbackAddress {
                url: format!("http://{url_host}:{}", local.port()),
                token,
                timeout_ms: timeout.as_millis().min(u64::MAX as u128) as u64,
            },
            local,
            shutdown: Some(tx),
        })
    }

    /// Where executors call, with the token.
    pub fn address(&self) -> &CallbackAddress {
        &self.address
    }

    /// The bound socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

impl Drop for CallbackServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The executor's side of a callback: sends each call to the driver's [`CallbackServer`]
/// and waits for the answer.
pub struct CallbackClient {
    address: CallbackAddress,
    client: Mutex<Option<FlightServiceClient<tonic::transport::Channel>>>,
}

impl CallbackClient {
    /// A client of the server at `address` (connected on the first call).
    pub fn new(address: CallbackAddress) -> Self {
        CallbackClient {
            address,
            client: Mutex::new(None),
        }
    }

    async fn call_async(&self, value: Value) -> Result<Value> {
        let url = &self.address.url;
        let failed = |e: String| {
            FugueError::external(format!("the callback to the driver at {url} failed"), e)
        };
        let cached = self
            .client
            .lock()
            .map_err(|_| failed("poisoned".into()))?
            .clone();
        let mut client = match cached {
            Some(client) => client,
            None => {
                let channel = tonic::transport::Endpoint::from_shared(url.clone())
                    .map_err(|e| failed(e.to_string()))?
                    .connect()
                    .await
                    .map_err(|e| failed(e.to_string()))?;
                let client = FlightServiceClient::new(channel);
                *self.client.lock().map_err(|_| failed("poisoned".into()))? = Some(client.clone());
                client
            }
        };
        let body = encode_value(&value)?;
        let mut request = Request::new(Action {
            r#type: CALLBACK_ACTION.to_string(),
            body: body.into(),
        });
        let token = format!("Bearer {}", self.address.token);
        request.metadata_mut().insert(
            TOKEN_HEADER,
            token.parse().map_err(|_| failed("bad token".into()))?,
        );
        let mut stream = client
            .do_action(request)
            .await
            .map_err(|status| failed(status.message().to_string()))?
            .into_inner();
        let result = stream
            .message()
            .await
            .map_err(|status| failed(status.message().to_string()))?
            .ok_or_else(|| failed("the driver sent no answer".into()))?;
        decode_value(&result.body)
    }
}

impl CallbackTransport for CallbackClient {
    fn call(&self, value: Value) -> Result<Value> {
        let timeout = Duration::from_millis(self.address.timeout_ms);
        let call = async {
            tokio::time::timeout(timeout, self.call_async(value))
                .await
                .map_err(|_| {
                    FugueError::external(
                        format!("the callback to the driver at {}", self.address.url),
                        format!("no answer within {timeout:?} (fugue.rpc.flight_server.timeout)"),
                    )
                })?
        };
        match tokio::runtime::Handle::try_current() {
            // On an executor's blocking thread: the executor's runtime drives the call.
            Ok(handle) => std::thread::scope(|s| {
                s.spawn(|| handle.block_on(call))
                    .join()
                    .unwrap_or_else(|_| {
                        Err(FugueError::Internal("callback thread panicked".into()))
                    })
            }),
            Err(_) => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| FugueError::external("cannot start a tokio runtime", e.to_string()))?
                .block_on(call),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counting_server(
        runtime: &tokio::runtime::Runtime,
        calls: Arc<AtomicUsize>,
    ) -> CallbackServer {
        let callback = Callback::new(move |v: Value| {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(Value::from(v.as_i64().unwrap_or(0) * 2))
        });
        runtime
            .block_on(CallbackServer::start(callback, &FugueConfig::default()))
            .unwrap()
    }

    #[test]
    fn calls_with_the_token_are_answered_and_calls_without_it_are_refused() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let server = counting_server(&runtime, calls.clone());
        assert!(
            server.local_addr().ip().is_loopback(),
            "bound to loopback by default"
        );
        assert_eq!(server.address().token.len(), 64);

        let good = CallbackClient::new(server.address().clone());
        assert_eq!(good.call(Value::from(21_i64)).unwrap(), Value::from(42_i64));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        for token in ["", "not-the-token"] {
            let bad = CallbackClient::new(CallbackAddress {
                token: token.to_string(),
                ..server.address().clone()
            });
            let e = bad.call(Value::from(1_i64)).unwrap_err();
            assert!(e.to_string().contains("no valid token"), "{e}");
        }
        // Another run's server has another token: its token is refused here too.
        let other = counting_server(&runtime, Arc::new(AtomicUsize::new(0)));
        let stolen = CallbackClient::new(CallbackAddress {
            token: other.address().token.clone(),
            ..server.address().clone()
        });
        assert!(stolen.call(Value::from(1_i64)).is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "refused calls never reach the handler"
        );
    }

    #[test]
    fn handler_errors_and_timeouts_come_back_as_errors() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let failing = Callback::new(|_: Value| -> Result<Value> {
            Err(FugueError::InvalidOperation("the driver says no".into()))
        });
        let server = runtime
            .block_on(CallbackServer::start(failing, &FugueConfig::default()))
            .unwrap();
        let e = CallbackClient::new(server.address().clone())
            .call(Value::Null)
            .unwrap_err();
        assert!(e.to_string().contains("the driver says no"), "{e}");

        let mut conf = FugueConfig::default();
        conf.set("fugue.rpc.flight_server.timeout", "200ms")
            .unwrap();
        let slow = Callback::new(|v: Value| {
            std::thread::sleep(Duration::from_secs(2));
            Ok(v)
        });
        let server = runtime
            .block_on(CallbackServer::start(slow, &conf))
            .unwrap();
        let e = CallbackClient::new(server.address().clone())
            .call(Value::Null)
            .unwrap_err();
        assert!(
            e.to_string().contains("fugue.rpc.flight_server.timeout"),
            "{e}"
        );
    }
}
