//! Callbacks from transformers on executors to the driver (reference §7), over Arrow Flight.
//!
//! For a step with a callback, the driver starts a [`CallbackServer`]: an Arrow Flight
//! service bound to `fugue.rpc.flight_server.host:port` (loopback and any free port by
//! default) that answers one action, `fugue.callback`. Each server has a fresh secret token
//! (256 random bits), compared in constant time; every Flight method (the action, and
//! `handshake`, `list_actions`, `list_flights`, `get_flight_info`, ...) without it, or with
//! another one, is refused (`Unauthenticated`) before anything else happens, so nothing
//! answers a caller without the token.
//!
//! The server has no TLS: bound beyond loopback it needs
//! `fugue.rpc.flight_server.allow_insecure = true`. Executors are told the address to call:
//! `fugue.rpc.flight_server.advertise_host` when set, else the bound address, or for a
//! wildcard bind (`0.0.0.0`, `::`) this machine's non-loopback address (an error asks for
//! the key when there is none).
//!
//! Executors reach the server with a [`CallbackClient`], which waits at most
//! `fugue.rpc.flight_server.timeout` per call and drives its calls on a runtime of its own
//! (one thread per process, started on the first call), so it works for any number of calls,
//! inside a tokio runtime (of either flavour) or outside any. Values travel as one-row Arrow
//! IPC streams ([`crate::wire`]), so every Fugue type keeps its type.

use crate::wire::{CallbackAddress, decode_value, encode_value};
use arrow_flight::flight_service_client::FlightServiceClient;
use arrow_flight::flight_service_server::{FlightService, FlightServiceServer};
use arrow_flight::{
    Action, ActionType, Criteria, Empty, FlightData, FlightDescriptor, FlightInfo,
    HandshakeRequest, HandshakeResponse, PollInfo, PutResult, SchemaResult, Ticket,
};
use fugue_core::options::RpcServer;
use fugue_core::{FugueConfig, FugueError, Result};
use fugue_runtime::Value;
use fugue_runtime::function::{Callback, CallbackTransport};
use futures::stream::BoxStream;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::{Arc, Mutex, OnceLock};
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

impl CallbackService {
    /// Whether the request presents this server's token (`authorization: Bearer <token>`),
    /// compared in constant time.
    fn authorize<T>(&self, request: &Request<T>) -> std::result::Result<(), Status> {
        let presented = request
            .metadata()
            .get(TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if constant_time_eq::constant_time_eq(presented.as_bytes(), self.token.as_bytes()) {
            Ok(())
        } else {
            Err(Status::unauthenticated(
                "the callback call has no valid token for this run",
            ))
        }
    }
}

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
        request: Request<Streaming<HandshakeRequest>>,
    ) -> std::result::Result<Response<Self::HandshakeStream>, Status> {
        self.authorize(&request)?;
        unsupported()
    }

    async fn list_flights(
        &self,
        request: Request<Criteria>,
    ) -> std::result::Result<Response<Self::ListFlightsStream>, Status> {
        self.authorize(&request)?;
        unsupported()
    }

    async fn get_flight_info(
        &self,
        request: Request<FlightDescriptor>,
    ) -> std::result::Result<Response<FlightInfo>, Status> {
        self.authorize(&request)?;
        unsupported()
    }

    async fn poll_flight_info(
        &self,
        request: Request<FlightDescriptor>,
    ) -> std::result::Result<Response<PollInfo>, Status> {
        self.authorize(&request)?;
        unsupported()
    }

    async fn get_schema(
        &self,
        request: Request<FlightDescriptor>,
    ) -> std::result::Result<Response<SchemaResult>, Status> {
        self.authorize(&request)?;
        unsupported()
    }

    async fn do_get(
        &self,
        request: Request<Ticket>,
    ) -> std::result::Result<Response<Self::DoGetStream>, Status> {
        self.authorize(&request)?;
        unsupported()
    }

    async fn do_put(
        &self,
        request: Request<Streaming<FlightData>>,
    ) -> std::result::Result<Response<Self::DoPutStream>, Status> {
        self.authorize(&request)?;
        unsupported()
    }

    async fn do_exchange(
        &self,
        request: Request<Streaming<FlightData>>,
    ) -> std::result::Result<Response<Self::DoExchangeStream>, Status> {
        self.authorize(&request)?;
        unsupported()
    }

    async fn do_action(
        &self,
        request: Request<Action>,
    ) -> std::result::Result<Response<Self::DoActionStream>, Status> {
        self.authorize(&request)?;
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
        request: Request<Empty>,
    ) -> std::result::Result<Response<Self::ListActionsStream>, Status> {
        self.authorize(&request)?;
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
    ///
    /// A host beyond loopback without `fugue.rpc.flight_server.allow_insecure`, or a wildcard
    /// host on a machine without a non-loopback address and without
    /// `fugue.rpc.flight_server.advertise_host`, is [`FugueError::Config`] naming the key to
    /// set; nothing is served then.
    pub async fn start(callback: Callback, conf: &FugueConfig) -> Result<Self> {
        let options = &conf.fugue.rpc.flight_server;
        let bind = Bind::of(conf)?;
        let (host, port) = (bind.host, bind.port);
        let listener = tokio::net::TcpListener::bind((host.as_str(), port))
            .await
            .map_err(|e| {
                FugueError::external(
                    format!(
                        "cannot bind the callback server to `{host}:{port}` ({})",
                        bind.keys
                    ),
                    e.to_string(),
                )
            })?;
        let local = listener
            .local_addr()
            .map_err(|e| FugueError::external("cannot start the callback server", e.to_string()))?;
        check_exposure(&host, local.ip(), options.allow_insecure)?;
        let url_host = advertised_host(
            &host,
            local.ip(),
            options.advertise_host.as_deref(),
            routable_address,
        )?;
        let url = format!("http://{}:{}", bracketed(&url_host), local.port());
        tonic::transport::Endpoint::from_shared(url.clone()).map_err(|e| FugueError::Config {
            key: ADVERTISE_HOST_KEY.to_string(),
            reason: format!("`{url_host}` does not make a valid address (`{url}`): {e}"),
        })?;
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
        let timeout = bind.timeout;
        Ok(CallbackServer {
            address: CallbackAddress {
                url,
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

/// Where the callback server binds and how long a call may take, from the server
/// `fugue.rpc.server` names: `flight` (or unset) reads `fugue.rpc.flight_server.*`, `flask`
/// (Fugue's name) `fugue.rpc.flask_server.*` (host and port required; no timeout when unset);
/// `native` is refused: executors run in other processes.
pub(crate) struct Bind {
    host: String,
    port: u16,
    timeout: Duration,
    /// The keys that set host and port, for messages.
    keys: &'static str,
}

/// The longest a call may wait: "no timeout" (a year, so that deadlines never overflow).
const NO_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

impl Bind {
    pub(crate) fn of(conf: &FugueConfig) -> Result<Bind> {
        let rpc = &conf.fugue.rpc;
        match rpc.server_kind()? {
            None | Some(RpcServer::Flight) => Ok(Bind {
                host: rpc.flight_server.host.trim().to_string(),
                port: rpc.flight_server.port.unwrap_or(0),
                timeout: rpc.flight_server.timeout.unwrap_or(Duration::from_secs(60)),
                keys: "fugue.rpc.flight_server.host / .port",
            }),
            Some(RpcServer::Flask) => {
                let flask = &rpc.flask_server;
                let missing = |key: &str| FugueError::Config {
                    key: key.to_string(),
                    reason: "`fugue.rpc.server = flask` binds the callback server to \
                             `fugue.rpc.flask_server.host` and `.port`; set both (or use \
                             `flight` and `fugue.rpc.flight_server.*`)"
                        .to_string(),
                };
                let host = flask
                    .host
                    .as_deref()
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .ok_or_else(|| missing("fugue.rpc.flask_server.host"))?;
                let port = flask
                    .port
                    .ok_or_else(|| missing("fugue.rpc.flask_server.port"))?;
                Ok(Bind {
                    host: host.to_string(),
                    port,
                    timeout: flask.timeout.unwrap_or(NO_TIMEOUT).min(NO_TIMEOUT),
                    keys: "fugue.rpc.flask_server.host / .port",
                })
            }
            Some(RpcServer::Native) => Err(FugueError::Config {
                key: "fugue.rpc.server".to_string(),
                reason: "the Ballista engine's executors run in other processes and call the \
                         driver over the network: use `flight` (the default) or `flask`, not \
                         `native`"
                    .to_string(),
            }),
        }
    }
}

/// The key that allows a callback server beyond loopback.
const ALLOW_INSECURE_KEY: &str = "fugue.rpc.flight_server.allow_insecure";

/// The key that names the host executors call.
const ADVERTISE_HOST_KEY: &str = "fugue.rpc.flight_server.advertise_host";

/// A server bound beyond loopback has no TLS: refused unless the user allowed it.
fn check_exposure(host: &str, bound: IpAddr, allow_insecure: bool) -> Result<()> {
    if bound.is_loopback() || allow_insecure {
        return Ok(());
    }
    Err(FugueError::Config {
        key: ALLOW_INSECURE_KEY.to_string(),
        reason: format!(
            "`fugue.rpc.flight_server.host` = `{host}` makes the callback server listen beyond \
             loopback (on `{bound}`), and it has no TLS: its calls, their values and the run's \
             token would cross the network in clear text; set `{ALLOW_INSECURE_KEY}` to `true` \
             to accept that (on a trusted network), or use a loopback host"
        ),
    })
}

/// The host executors are told to call: the advertise key when set, the bound address
/// otherwise, and for a wildcard bind what `detect` finds (a non-loopback address of this
/// machine), or an error asking for the key.
fn advertised_host(
    host: &str,
    bound: IpAddr,
    advertise: Option<&str>,
    detect: impl FnOnce(IpAddr) -> Option<IpAddr>,
) -> Result<String> {
    if let Some(advertise) = advertise.map(str::trim) {
        if advertise.is_empty()
            || advertise
                .parse::<IpAddr>()
                .is_ok_and(|ip| ip.is_unspecified())
        {
            return Err(FugueError::Config {
                key: ADVERTISE_HOST_KEY.to_string(),
                reason: format!(
                    "`{advertise}` is not an address executors can call; give the driver's \
                     host name or IP address as the executors reach it"
                ),
            });
        }
        return Ok(advertise.to_string());
    }
    if !bound.is_unspecified() {
        return Ok(bound.to_string());
    }
    match detect(bound) {
        Some(ip) if !ip.is_loopback() && !ip.is_unspecified() => Ok(ip.to_string()),
        _ => Err(FugueError::Config {
            key: ADVERTISE_HOST_KEY.to_string(),
            reason: format!(
                "`fugue.rpc.flight_server.host` = `{host}` listens on every interface, and this \
                 machine has no non-loopback address to tell the executors; set \
                 `{ADVERTISE_HOST_KEY}` to the driver's host name or IP address as the \
                 executors reach it"
            ),
        }),
    }
}

/// A host for a URL: an IPv6 address in brackets.
fn bracketed(host: &str) -> String {
    match host.parse::<Ipv6Addr>() {
        Ok(ip) => format!("[{ip}]"),
        Err(_) => host.to_string(),
    }
}

/// A non-loopback address of this machine, for a server bound to the wildcard `bound`: the
/// source address of a route to the outside (a UDP socket connected to a documentation
/// address, which sends nothing), else an address the host name resolves to.
fn routable_address(bound: IpAddr) -> Option<IpAddr> {
    let usable = |ip: &IpAddr| !ip.is_loopback() && !ip.is_unspecified();
    let by_route = |local: SocketAddr, remote: SocketAddr| {
        let socket = UdpSocket::bind(local).ok()?;
        socket.connect(remote).ok()?;
        socket.local_addr().ok().map(|a| a.ip()).filter(usable)
    };
    let v4 = || {
        by_route(
            (Ipv4Addr::UNSPECIFIED, 0).into(),
            (Ipv4Addr::new(192, 0, 2, 1), 9).into(),
        )
    };
    let v6 = || {
        by_route(
            (Ipv6Addr::UNSPECIFIED, 0).into(),
            (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 9).into(),
        )
    };
    // `::` also accepts IPv4 connections (dual stack), so an IPv4 address serves it too.
    let routed = match bound {
        IpAddr::V4(_) => v4(),
        IpAddr::V6(_) => v6().or_else(v4),
    };
    routed.or_else(|| {
        let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .ok()?;
        let addrs: Vec<IpAddr> = (name.trim(), 0)
            .to_socket_addrs()
            .ok()?
            .map(|a| a.ip())
            .filter(usable)
            .collect();
        addrs
            .iter()
            .find(|ip| ip.is_ipv4() == bound.is_ipv4())
            .or_else(|| addrs.iter().find(|ip| ip.is_ipv4()))
            .copied()
    })
}

/// The runtime that drives every [`CallbackClient`]'s calls in this process: one worker
/// thread, started on the first call and never stopped, so a client's connection lives as
/// long as the client, whatever runtime (or none) its caller runs in.
fn client_runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> =
        OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("fugue-callback-client")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            FugueError::external(
                "cannot start the tokio runtime of the callback client",
                e.clone(),
            )
        })
}

/// The executor's side of a callback: sends each call to the driver's [`CallbackServer`]
/// and waits for the answer.
pub struct CallbackClient {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    address: CallbackAddress,
    client: Mutex<Option<FlightServiceClient<tonic::transport::Channel>>>,
}

impl CallbackClient {
    /// A client of the server at `address` (connected on the first call).
    pub fn new(address: CallbackAddress) -> Self {
        CallbackClient {
            inner: Arc::new(ClientInner {
                address,
                client: Mutex::new(None),
            }),
        }
    }
}

impl ClientInner {
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
        let inner = self.inner.clone();
        let timeout = Duration::from_millis(inner.address.timeout_ms);
        let call = async move {
            tokio::time::timeout(timeout, inner.call_async(value))
                .await
                .map_err(|_| {
                    FugueError::external(
                        format!("the callback to the driver at {}", inner.address.url),
                        format!("no answer within {timeout:?} (fugue.rpc.flight_server.timeout)"),
                    )
                })?
        };
        // The call runs on the client's own runtime and this thread only waits for it, so
        // it needs no runtime of the caller's and cannot starve one (a current-thread runtime
        // blocked in this call does not have to drive the connection).
        let task = client_runtime()?.spawn(call);
        futures::executor::block_on(task).unwrap_or_else(|e| {
            Err(FugueError::Internal(format!(
                "the callback call's task failed: {e}"
            )))
        })
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

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn a_client_makes_any_number_of_calls_outside_a_runtime() {
        let runtime = runtime();
        let calls = Arc::new(AtomicUsize::new(0));
        let server = counting_server(&runtime, calls.clone());
        let client = CallbackClient::new(server.address().clone());
        // This test's thread runs no tokio runtime.
        assert!(tokio::runtime::Handle::try_current().is_err());
        for i in 0..5_i64 {
            assert_eq!(client.call(Value::from(i)).unwrap(), Value::from(2 * i));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn a_client_makes_any_number_of_calls_inside_runtimes_of_both_flavours() {
        let runtime = runtime();
        let calls = Arc::new(AtomicUsize::new(0));
        let server = counting_server(&runtime, calls.clone());
        let mut conf = server.address().clone();
        conf.timeout_ms = 10_000;
        let client = Arc::new(CallbackClient::new(conf));
        // Inside the only thread of a current-thread runtime, which is blocked in the call;
        // the runtime is gone afterwards, and the client must not need it.
        {
            let current = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let answers = current.block_on(async {
                (10..13_i64)
                    .map(|i| client.call(Value::from(i)))
                    .collect::<Result<Vec<_>>>()
            });
            assert_eq!(answers.unwrap(), [20_i64, 22, 24].map(Value::from));
        }
        // On a blocking thread of another (multi-thread) runtime, as on an executor.
        let other = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let c = client.clone();
        let answers = other
            .block_on(async move {
                tokio::task::spawn_blocking(move || {
                    (0..3_i64)
                        .map(|i| c.call(Value::from(i)))
                        .collect::<Result<Vec<_>>>()
                })
                .await
            })
            .unwrap()
            .unwrap();
        assert_eq!(answers, [0_i64, 2, 4].map(Value::from));
        drop(other);
        // And outside any runtime, with the same client.
        assert_eq!(
            client.call(Value::from(50_i64)).unwrap(),
            Value::from(100_i64)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 7);
    }

    /// A raw Flight client of `server`, presenting `token` (none when `None`).
    fn raw_client(
        runtime: &tokio::runtime::Runtime,
        server: &CallbackServer,
    ) -> FlightServiceClient<tonic::transport::Channel> {
        let url = server.address().url.clone();
        runtime.block_on(async move {
            FlightServiceClient::new(
                tonic::transport::Endpoint::from_shared(url)
                    .unwrap()
                    .connect()
                    .await
                    .unwrap(),
            )
        })
    }

    fn with_token<T>(message: T, token: Option<&str>) -> Request<T> {
        let mut request = Request::new(message);
        if let Some(token) = token {
            request
                .metadata_mut()
                .insert(TOKEN_HEADER, format!("Bearer {token}").parse().unwrap());
        }
        request
    }

    /// The status code of every Flight method called with `token`.
    fn codes(
        runtime: &tokio::runtime::Runtime,
        server: &CallbackServer,
        token: Option<&str>,
    ) -> Vec<(&'static str, tonic::Code)> {
        let mut c = raw_client(runtime, server);
        let code = |r: std::result::Result<(), Status>| match r {
            Ok(()) => tonic::Code::Ok,
            Err(status) => status.code(),
        };
        let descriptor = || FlightDescriptor::new_cmd("x");
        runtime.block_on(async move {
            vec![
                (
                    "handshake",
                    code(
                        c.handshake(with_token(
                            futures::stream::iter([HandshakeRequest::default()]),
                            token,
                        ))
                        .await
                        .map(drop),
                    ),
                ),
                (
                    "list_flights",
                    code(
                        c.list_flights(with_token(Criteria::default(), token))
                            .await
                            .map(drop),
                    ),
                ),
                (
                    "get_flight_info",
                    code(
                        c.get_flight_info(with_token(descriptor(), token))
                            .await
                            .map(drop),
                    ),
                ),
                (
                    "poll_flight_info",
                    code(
                        c.poll_flight_info(with_token(descriptor(), token))
                            .await
                            .map(drop),
                    ),
                ),
                (
                    "get_schema",
                    code(
                        c.get_schema(with_token(descriptor(), token))
                            .await
                            .map(drop),
                    ),
                ),
                (
                    "do_get",
                    code(
                        c.do_get(with_token(Ticket::new("x"), token))
                            .await
                            .map(drop),
                    ),
                ),
                (
                    "do_put",
                    code(
                        c.do_put(with_token(
                            futures::stream::iter([FlightData::default()]),
                            token,
                        ))
                        .await
                        .map(drop),
                    ),
                ),
                (
                    "do_exchange",
                    code(
                        c.do_exchange(with_token(
                            futures::stream::iter([FlightData::default()]),
                            token,
                        ))
                        .await
                        .map(drop),
                    ),
                ),
                (
                    "do_action (another action)",
                    code(
                        c.do_action(with_token(Action::new("something.else", ""), token))
                            .await
                            .map(drop),
                    ),
                ),
                (
                    "list_actions",
                    code(
                        c.list_actions(with_token(Empty::default(), token))
                            .await
                            .map(drop),
                    ),
                ),
            ]
        })
    }

    #[test]
    fn every_flight_method_requires_the_token() {
        let runtime = runtime();
        let server = counting_server(&runtime, Arc::new(AtomicUsize::new(0)));
        let token = server.address().token.clone();
        let mut near = token.clone();
        near.pop();
        near.push(if token.ends_with('0') { '1' } else { '0' });
        let prefix = token[..32].to_string();
        for bad in [None, Some(""), Some(near.as_str()), Some(prefix.as_str())] {
            for (method, code) in codes(&runtime, &server, bad) {
                assert_eq!(
                    code,
                    tonic::Code::Unauthenticated,
                    "{method} with token {bad:?}"
                );
            }
        }
        // With the token: the server lists its one action and implements nothing else.
        for (method, code) in codes(&runtime, &server, Some(&token)) {
            let expected = if method == "list_actions" {
                tonic::Code::Ok
            } else {
                tonic::Code::Unimplemented
            };
            assert_eq!(code, expected, "{method} with the token");
        }
        let mut c = raw_client(&runtime, &server);
        let listed: Vec<ActionType> = runtime.block_on(async move {
            use futures::TryStreamExt;
            c.list_actions(with_token(Empty::default(), Some(&token)))
                .await
                .unwrap()
                .into_inner()
                .try_collect()
                .await
                .unwrap()
        });
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].r#type, CALLBACK_ACTION);
    }

    fn config(pairs: &[(&str, &str)]) -> FugueConfig {
        let mut conf = FugueConfig::default();
        for (k, v) in pairs {
            conf.set(k, v).unwrap();
        }
        conf
    }

    fn echo() -> Callback {
        Callback::new(|v: Value| Ok(v))
    }

    #[test]
    fn the_rpc_server_key_chooses_where_the_server_binds() {
        let runtime = runtime();
        // `flask` (Fugue's name) binds to the flask_server keys, with their timeout.
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        let port_text = port.to_string();
        let conf = config(&[
            ("fugue.rpc.server", "Flask"),
            ("fugue.rpc.flask_server.host", "127.0.0.1"),
            ("fugue.rpc.flask_server.port", &port_text),
            ("fugue.rpc.flask_server.timeout", "3s"),
        ]);
        let server = runtime
            .block_on(CallbackServer::start(echo(), &conf))
            .unwrap();
        assert_eq!(server.local_addr().port(), port);
        assert_eq!(server.address().timeout_ms, 3_000);
        // Without a timeout, calls wait as long as they take (no overflowing deadline).
        let conf = config(&[
            ("fugue.rpc.server", "flask"),
            ("fugue.rpc.flask_server.host", "127.0.0.1"),
            ("fugue.rpc.flask_server.port", "0"),
        ]);
        let server = runtime
            .block_on(CallbackServer::start(echo(), &conf))
            .unwrap();
        assert_eq!(server.address().timeout_ms, NO_TIMEOUT.as_millis() as u64);
        // Host and port are required.
        let conf = config(&[("fugue.rpc.server", "flask")]);
        let e = runtime
            .block_on(CallbackServer::start(echo(), &conf))
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid config `fugue.rpc.flask_server.host`"),
            "{e}"
        );
        // `flight` is the default; `native` and unknown names are refused.
        let conf = config(&[("fugue.rpc.server", "flight")]);
        let server = runtime
            .block_on(CallbackServer::start(echo(), &conf))
            .unwrap();
        assert_eq!(server.address().timeout_ms, 60_000);
        for (value, says) in [("native", "other processes"), ("grpc", "`flask`")] {
            let conf = config(&[("fugue.rpc.server", value)]);
            let e = runtime
                .block_on(CallbackServer::start(echo(), &conf))
                .unwrap_err();
            let text = e.to_string();
            assert!(
                text.starts_with("invalid config `fugue.rpc.server`"),
                "{text}"
            );
            assert!(text.contains(says), "{text}");
        }
    }

    #[test]
    fn a_server_beyond_loopback_needs_allow_insecure() {
        let runtime = runtime();
        let conf = config(&[("fugue.rpc.flight_server.host", "0.0.0.0")]);
        let e = runtime
            .block_on(CallbackServer::start(echo(), &conf))
            .unwrap_err();
        assert_eq!(e.kind(), fugue_core::ErrorKind::InvalidArgument, "{e}");
        let message = e.to_string();
        assert!(
            message.starts_with("invalid config `fugue.rpc.flight_server.allow_insecure`"),
            "{message}"
        );
        assert!(message.contains("no TLS"), "{message}");
        // Every non-loopback address is refused the same way; loopback ones are not.
        for ip in ["0.0.0.0", "::", "192.0.2.2", "fe80::1"] {
            let e = check_exposure(ip, ip.parse().unwrap(), false).unwrap_err();
            assert!(e.to_string().contains(ALLOW_INSECURE_KEY), "{e}");
            assert!(check_exposure(ip, ip.parse().unwrap(), true).is_ok());
        }
        for ip in ["127.0.0.1", "127.1.2.3", "::1"] {
            assert!(check_exposure(ip, ip.parse().unwrap(), false).is_ok());
        }
    }

    #[test]
    fn a_wildcard_bind_advertises_a_routable_address_or_asks_for_one() {
        let any4: IpAddr = Ipv4Addr::UNSPECIFIED.into();
        let any6: IpAddr = Ipv6Addr::UNSPECIFIED.into();
        let lan: IpAddr = "10.1.2.3".parse().unwrap();
        let lan6: IpAddr = "fd00::7".parse().unwrap();
        assert_eq!(
            advertised_host("0.0.0.0", any4, None, |_| Some(lan)).unwrap(),
            "10.1.2.3"
        );
        let host = advertised_host("::", any6, None, |_| Some(lan6)).unwrap();
        assert_eq!(
            format!("http://{}:1", bracketed(&host)),
            "http://[fd00::7]:1"
        );
        for found in [None, Some(IpAddr::from(Ipv4Addr::LOCALHOST)), Some(any4)] {
            let e = advertised_host("0.0.0.0", any4, None, |_| found).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("invalid config `fugue.rpc.flight_server.advertise_host`"),
                "{e}"
            );
        }
        // The key wins over detection; a bound address is advertised as it is.
        assert_eq!(
            advertised_host("0.0.0.0", any4, Some(" driver.example "), |_| Some(lan)).unwrap(),
            "driver.example"
        );
        for bad in ["", "  ", "0.0.0.0", "::"] {
            assert!(advertised_host("0.0.0.0", any4, Some(bad), |_| Some(lan)).is_err());
        }
        assert_eq!(
            advertised_host("192.0.2.2", "192.0.2.2".parse().unwrap(), None, |_| None).unwrap(),
            "192.0.2.2"
        );
        assert_eq!(bracketed("::1"), "[::1]");
        assert_eq!(bracketed("10.1.2.3"), "10.1.2.3");
    }

    #[test]
    fn a_wildcard_server_is_called_at_the_address_it_advertises() {
        let runtime = runtime();
        let conf = config(&[
            ("fugue.rpc.flight_server.host", "0.0.0.0"),
            ("fugue.rpc.flight_server.allow_insecure", "true"),
        ]);
        match runtime.block_on(CallbackServer::start(echo(), &conf)) {
            Ok(server) => {
                assert!(server.local_addr().ip().is_unspecified());
                let url = &server.address().url;
                let host: IpAddr = url
                    .trim_start_matches("http://")
                    .rsplit_once(':')
                    .unwrap()
                    .0
                    .parse()
                    .unwrap();
                assert!(
                    !host.is_loopback() && !host.is_unspecified(),
                    "a wildcard server advertised {url}"
                );
                let client = CallbackClient::new(server.address().clone());
                assert_eq!(client.call(Value::from(7_i64)).unwrap(), Value::from(7_i64));
            }
            // A machine with no address but loopback: the error names the key to set.
            Err(e) => assert!(e.to_string().contains(ADVERTISE_HOST_KEY), "{e}"),
        }
        // With the key, executors are told exactly that host.
        let conf = config(&[
            ("fugue.rpc.flight_server.host", "0.0.0.0"),
            ("fugue.rpc.flight_server.allow_insecure", "true"),
            ("fugue.rpc.flight_server.advertise_host", "127.0.0.1"),
        ]);
        let server = runtime
            .block_on(CallbackServer::start(echo(), &conf))
            .unwrap();
        let port = server.local_addr().port();
        assert_eq!(server.address().url, format!("http://127.0.0.1:{port}"));
        let client = CallbackClient::new(server.address().clone());
        assert_eq!(client.call(Value::from("x")).unwrap(), Value::from("x"));
        // A bad advertised host is refused at start, naming the key.
        let conf = config(&[("fugue.rpc.flight_server.advertise_host", "bad host/")]);
        let e = runtime
            .block_on(CallbackServer::start(echo(), &conf))
            .unwrap_err();
        assert!(e.to_string().contains(ADVERTISE_HOST_KEY), "{e}");
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
