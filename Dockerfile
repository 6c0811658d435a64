# The hosted pages in a container: built by scripts/build-release.sh, served by a non-root user.
# Configure the user pool with -e at `docker run` (README, Deployment).

FROM rust:1.95-bookworm AS build
# npm installs wasm-opt for the release browser build.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The tools in a layer of their own: rebuilt only when Cargo.lock or tools.sh change.
COPY Cargo.lock ./
COPY scripts/tools.sh scripts/
RUN ./scripts/tools.sh
COPY . .
RUN ./scripts/build-release.sh

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home app && mkdir -p /app/data && chown app /app/data
WORKDIR /app
COPY --from=build /src/target/release/cognito-authenticator ./
COPY --from=build /src/target/site ./site
ENV LEPTOS_ENV=PROD \
    LEPTOS_SITE_ROOT=site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_OUTPUT_NAME=cognito-authenticator \
    LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    DATA_DIR=/app/data
EXPOSE 3000
USER app
# The server shuts down gracefully on Ctrl-C (SIGINT).
STOPSIGNAL SIGINT
CMD ["./cognito-authenticator"]
