# syntax=docker/dockerfile:1
# The ForYou CRM image: `docker compose build` (see compose.yaml and docs/operations.md).
# Stage 1 builds wheels of the package and its dependencies; stage 2 installs only those
# wheels into a slim Python without build tools, sources or pip caches, run as a non-root user.
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:${PYTHON_VERSION}-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels foryou-crm
RUN useradd --system --user-group --uid 10001 --create-home --home-dir /srv/foryou foryou
USER foryou
WORKDIR /srv/foryou
EXPOSE 8000
# Liveness of `serve` on port 8000. Migrations are not run on start: `foryou-crm migrate` is an
# explicit step (compose's one-shot `migrate` service) before the API is rolled.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["foryou-crm", "healthcheck"]
CMD ["foryou-crm", "serve", "--host", "0.0.0.0", "--port", "8000"]
