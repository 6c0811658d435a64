//! The hosted pages (`cognito-authenticator`) and the standalone Cognito-compatible pool
//! (`cognito-authenticator local-pool --port 9229`).

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    use tracing_subscriber::EnvFilter;
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("local-pool") => local_pool_command(&args[1..]).await,
        None | Some("serve") => serve().await,
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    if let Err(message) = result {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

#[cfg(feature = "ssr")]
const USAGE: &str = "usage:
  cognito-authenticator [serve]          serve the sign-in pages (see README for the environment)
  cognito-authenticator local-pool [--port 9229] [--host 127.0.0.1] [--allow-remote]
                                   [--allow-host NAME]… [--data DIR] [--config pool.toml]
                                         serve a Cognito-compatible user pool";

#[cfg(feature = "ssr")]
async fn serve() -> Result<(), String> {
    use cognito_authenticator::server::{routes, AuthConfig};
    let conf = leptos::prelude::get_configuration(None).map_err(|e| e.to_string())?;
    let leptos_options = conf.leptos_options;
    let config = AuthConfig::from_env().map_err(|problems| {
        format!(
            "the configuration has problems:\n  - {}",
            problems.join("\n  - ")
        )
    })?;
    // The embedded pool's outbox shows every code: other machines reach it only under the
    // host names the operator listed (its `allowed_hosts`), never by a bare address.
    if let cognito_authenticator::server::config::Backend::Local { pool, .. } = &config.backend {
        // Known codes let anyone confirm, reset or sign in to any account: only on this machine.
        let test_mode =
            pool.test_mode.is_some() || pool.pools.iter().any(|p| p.test_mode.is_some());
        if test_mode
            && (!leptos_options.site_addr.ip().is_loopback()
                || !pool.allowed_hosts.is_empty()
                || config.secure_cookies)
        {
            return Err("the embedded pool is in test mode (known codes), which is only for end-to-end tests on this machine: it cannot listen on another address, answer other host names (allowed_hosts) or run with SECURE_COOKIES".into());
        }
        if !leptos_options.site_addr.ip().is_loopback() && pool.allowed_hosts.is_empty() {
            return Err(format!(
                "LEPTOS_SITE_ADDR {} is not a loopback address, and the embedded local pool is for this machine only; list the host names other machines use in allowed_hosts (LOCAL_POOL_CONFIG) to serve them",
                leptos_options.site_addr
            ));
        }
    }
    let listener = tokio::net::TcpListener::bind(leptos_options.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", leptos_options.site_addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // The app reaches its embedded pool over loopback whatever address it listens on (a
    // wildcard address is no Host the pool answers).
    let own = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, addr.port()));
    let auth = routes::connect(
        config,
        &format!("http://{own}"),
        cognito_idp::Clock::system(),
    )
    .await?;
    // The embedded pool serves its keys from this very server, so only a remote pool's JWKS
    // can be checked before listening.
    if auth.local_pool.is_none() {
        auth.verifier.refresh_keys().await.map_err(|e| {
            format!("the pool's signing keys could not be fetched ({e}); check COGNITO_USER_POOL_ID, AWS_REGION and COGNITO_ENDPOINT")
        })?;
    }
    if auth.local_pool.is_some() {
        tracing::info!("using the embedded local user pool; codes appear on this console and at http://{addr}/local/outbox");
    }
    let offers_passkeys = auth.config.offers_passkeys();
    let app = routes::router(auth, leptos_options);
    tracing::info!("listening on http://{addr}");
    if offers_passkeys && addr.ip().is_loopback() {
        // A passkey belongs to a domain name: browsers refuse them at an IP address.
        tracing::info!(
            "passkeys: open http://localhost:{} (at http://{addr} the browser refuses them)",
            addr.port()
        );
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| e.to_string())
}

#[cfg(feature = "ssr")]
async fn local_pool_command(args: &[String]) -> Result<(), String> {
    use local_pool::{LocalPool, PoolConfig};
    let mut port = 9229u16;
    let mut host = "127.0.0.1".to_owned();
    let mut allow_remote = false;
    let mut data = std::env::var("DATA_DIR").unwrap_or_else(|_| "data".into());
    let mut config_path = None;
    let mut allowed_hosts = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut value = |name: &str| rest.next().cloned().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--port" => {
                port = value("--port")?
                    .parse()
                    .map_err(|_| "--port takes a port number".to_owned())?
            }
            "--host" => host = value("--host")?,
            "--data" => data = value("--data")?,
            "--config" => config_path = Some(value("--config")?),
            "--allow-remote" => allow_remote = true,
            "--allow-host" => allowed_hosts.push(value("--allow-host")?),
            other => return Err(format!("unknown option {other:?}\n\n{USAGE}")),
        }
    }
    let ip: std::net::IpAddr = host
        .parse()
        .map_err(|_| format!("--host {host:?} is not an IP address"))?;
    if !ip.is_loopback() && !allow_remote {
        return Err(format!(
            "--host {host} is not a loopback address; add --allow-remote to serve other machines"
        ));
    }
    let mut config = match config_path {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            PoolConfig::from_toml(&text).map_err(|e| format!("{path}: {e}"))?
        }
        None => PoolConfig::default(),
    };
    let test_mode =
        config.test_mode.is_some() || config.pools.iter().any(|p| p.test_mode.is_some());
    if test_mode && (allow_remote || !allowed_hosts.is_empty() || !config.allowed_hosts.is_empty())
    {
        return Err("the pool file turns on test mode (known codes), which is only for end-to-end tests on this machine: drop --allow-remote and the allowed host names, or [test_mode]".into());
    }
    // Served to other machines at a bare address, that address is a name it answers to.
    if !ip.is_loopback() && !ip.is_unspecified() {
        allowed_hosts.push(ip.to_string());
    }
    config.allowed_hosts.extend(allowed_hosts);
    let listener = tokio::net::TcpListener::bind((ip, port))
        .await
        .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let endpoint = format!("http://{addr}");
    // One clock for every pool served, so test mode moves them together.
    let clock = cognito_idp::Clock::system();
    let pool = LocalPool::open(
        config,
        Some(std::path::Path::new(&data)),
        &endpoint,
        clock.clone(),
    )
    .await?;
    let pools = local_pool::Pools::open(
        pool.clone(),
        &endpoint,
        Some(std::path::PathBuf::from(&data)),
        clock,
    )
    .await?;
    let app = local_pool::server::router(pools.clone())
        .merge(local_pool::oauth::router(pools.clone()))
        .nest("/local/outbox", local_pool::outbox::router(pools.clone()))
        .merge(local_pool::test_mode::router(pools.clone()))
        .merge(local_pool::console::router(pools.clone()));
    for served in pools.all() {
        let config = served.config();
        let clients: Vec<&str> = config
            .clients
            .iter()
            .map(|c| c.client_id.as_str())
            .collect();
        println!(
            "local user pool {} (clients {}) at {endpoint}",
            config.pool_id,
            clients.join(", ")
        );
    }
    println!("outbox at {endpoint}/local/outbox, console at {endpoint}/local/console");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| e.to_string())
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The binary is server-only; the browser build uses the library's `hydrate`.
}
