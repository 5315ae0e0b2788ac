# syntax=docker/dockerfile:1
# The chatroom server as a container image: the shaded jar on a JRE, run as an unprivileged user.
#   docker build -t chatroom .
#   docker run -p 8888:8888 -v chatroom-data:/app/data chatroom                 # one node on SQLite
#   docker run --rm chatroom user promote alice                                # any other subcommand
# Configuration is the environment the server reads (README "Configuration"); docs/operations.md has the rest.

# --- build: the same command as README's quick start, tests left to CI ---
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml ./
COPY src ./src
# The cache mount keeps ~/.m2 between builds, so a source change does not download every dependency again.
RUN --mount=type=cache,target=/root/.m2 mvn -B -DskipTests package

# --- runtime: a JRE only; eclipse-temurin's Ubuntu images ship curl, which the health check uses ---
FROM eclipse-temurin:17-jre-noble
RUN groupadd --system --gid 10001 chatroom \
 && useradd --system --uid 10001 --gid chatroom --home-dir /app --no-create-home --shell /usr/sbin/nologin chatroom \
 && mkdir -p /app/data /app/logs \
 && chown -R chatroom:chatroom /app
WORKDIR /app
COPY --from=build /build/target/chatroom.jar /app/chatroom.jar

# LOG_DIR is absolute, so it does not land under the data dir; set LOG_DIR= (empty) to log to stdout only.
# The heap gets 70 % of the container's memory limit: Netty's direct buffers, metaspace and thread stacks
# live outside it. A JVM out of heap exits at once so that the orchestrator restarts it. Override JAVA_OPTS
# as a whole to change either.
ENV CHATROOM_DATA_DIR=/app/data \
    LOG_DIR=/app/logs \
    JAVA_OPTS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"
VOLUME ["/app/data", "/app/logs"]

# Numeric, so that Kubernetes can check runAsNonRoot without resolving the name.
USER 10001:10001
EXPOSE 8888

# /health answers 200 while the process serves HTTP (readiness, which also turns 503 while draining, is
# /health/ready: orchestrators with a readiness notion should use that one).
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${CHATROOM_PORT:-8888}/health" || exit 1

# The JVM exits 143 after a clean SIGTERM shutdown (the drain: clients are told to reconnect, close 1012).
STOPSIGNAL SIGTERM
# sh only expands JAVA_OPTS and then exec's java, so java is PID 1 and gets SIGTERM itself. CMD is the
# subcommand and its flags: `docker run chatroom serve --port 9000`, `docker run chatroom user promote alice`.
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /app/chatroom.jar \"$@\"", "chatroom"]
CMD ["serve"]
