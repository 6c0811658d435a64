//! The example site's server: its own routes and pages, with the authenticator mounted.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    use cognito_authenticator::server::{connect, mount, provide_auth_context, AuthConfig, Clock};
    use cognito_authenticator::{AppError, Locale};
    use example_site::{shell, App};
    use leptos::prelude::*;
    use leptos_axum::{generate_route_list, LeptosRoutes};

    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let conf = get_configuration(None).expect("Leptos configuration");
    let options = conf.leptos_options;
    let config = AuthConfig::from_env()
        .unwrap_or_else(|problems| panic!("configuration: {}", problems.join("; ")))
        .with_languages(&[Locale::Fr, Locale::Es], Locale::Fr)
        // The sign-up forms the pages show, so the server accepts exactly their attributes.
        .with_auth_options(&example_site::auth_options())
        .with_auth_options(&example_site::by_phone_options())
        // Server-side, so it holds without JavaScript too.
        .validate_sign_up(
            |values| match values.get("extra[terms]").map(String::as_str) {
                Some("yes") => Ok(()),
                _ => Err(AppError::invalid_value(
                    "extra[terms]",
                    "site.terms_required",
                )),
            },
        )
        .transform_submission(|_, values| {
            if let Some(email) = values.get_mut("username") {
                if email.contains('@') {
                    *email = email.trim().to_lowercase();
                }
            }
        });
    let listener = tokio::net::TcpListener::bind(options.site_addr)
        .await
        .expect("listen");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let auth = connect(config, &base, Clock::system())
        .await
        .expect("connect to the user pool");
    let routes = generate_route_list(App);
    let app = axum::Router::new()
        .leptos_routes_with_context(&options, routes, provide_auth_context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            provide_auth_context,
            shell,
        ))
        .with_state(options);
    let app = mount(app, &auth);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await
    .expect("serve");
}

#[cfg(not(feature = "ssr"))]
fn main() {}
