# syntax=docker/dockerfile:1
# The CM Simulator app image: one Streamlit replica (`cm-sim run`), and the one-shot index
# build (`cm-sim index`). Build context: the repository root
#   docker build -f deploy/app.Dockerfile -t cm-sim-app .
FROM python:3.11-slim

# build-essential: llama-cpp-python (a dependency: the embedded voice) builds from source.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1

# torch first, pinned, from the CPU wheels: any other torch request (PyPI's torch for Linux
# x86_64, or the bare "torch" the dependencies ask for) pulls a multi-GB CUDA build. Set the
# TORCH_INDEX_URL build argument to a mirror that holds the CPU wheel if this one is not
# reachable from the build host.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --index-url "$TORCH_INDEX_URL" torch==2.13.0

# llama.cpp is compiled for the build host's CPU by default. If the image runs on other
# machines, build with --build-arg CMAKE_ARGS="-DGGML_NATIVE=OFF".
ARG CMAKE_ARGS=""
ENV CMAKE_ARGS=${CMAKE_ARGS}

WORKDIR /app
# Dependencies first, on a stub package, so a code change does not rebuild them.
# Editable install (-e): the code finds app.py, scenarios/ and knowledge_base/ next to
# the package (simulator/paths.py: REPO_ROOT), so it must run from this folder.
# (README.md is a stub here too: the real one changes often.)
COPY pyproject.toml ./
RUN --mount=type=cache,target=/root/.cache/pip \
    mkdir simulator && touch simulator/__init__.py README.md \
    && pip install -e . \
    && rm -rf simulator README.md
COPY README.md ./
COPY simulator ./simulator
COPY app.py ./
COPY app_pages ./app_pages
COPY scenarios ./scenarios
COPY knowledge_base ./knowledge_base
# config.toml only: a local .streamlit/secrets.toml must not end up in the image.
COPY .streamlit/config.toml ./.streamlit/config.toml
RUN pip install --no-deps -e .

# Settings come from CM_SIM_* variables (simulator/config.py); the data folder (grader
# cache, locks) is a volume shared by the replicas and the index job.
RUN useradd --create-home --uid 10001 cmsim && mkdir /data && chown cmsim /data
ENV CM_SIM_DATA_DIR=/data
USER cmsim
VOLUME ["/data"]
EXPOSE 8501

ENTRYPOINT ["cm-sim"]
CMD ["run", "--port", "8501", "--address", "0.0.0.0"]
