# The `civicmetrics` program with its cluster engine, for a Ballista cluster of containers
# (see compose.yaml): `civicmetrics cluster scheduler`, `civicmetrics cluster executor`, and the
# builds that compute on them with `--engine ballista://scheduler:50050`.
#
#   docker build -t civicmetrics .

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --package civicmetrics-cli --features distributed \
    && install -D target/release/civicmetrics /out/civicmetrics

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install --yes --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/civicmetrics civicmetrics
COPY --from=build /out/civicmetrics /usr/local/bin/civicmetrics
USER civicmetrics
WORKDIR /var/lib/civicmetrics
ENTRYPOINT ["civicmetrics"]
CMD ["--help"]
