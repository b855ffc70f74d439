# dayreel: one image for every process (serve, worker, migrate; see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DAYREEL_DATA_DIR=/srv/dayreel/uploads DAYREEL_ENVIRONMENT=production

WORKDIR /srv/dayreel
# dependencies first, exactly as locked (hashes checked): this layer is rebuilt only when the lock changes
COPY requirements/runtime.txt ./requirements/runtime.txt
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements/runtime.txt

# then the code, without resolving anything again
COPY pyproject.toml README.md ./
COPY app ./app
COPY media_pipeline ./media_pipeline
COPY templates ./templates
COPY migrations ./migrations
RUN pip install --no-cache-dir --no-deps . \
 && pip check \
 && python -m media_pipeline.faces.model \
 && useradd --create-home --uid 10001 dayreel \
 && mkdir -p uploads && chown dayreel:dayreel uploads

USER dayreel
VOLUME ["/srv/dayreel/uploads"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["dayreel", "serve", "--host", "0.0.0.0", "--port", "8000"]
