# Linkplan API image (used by docker-compose.yml). Chinese font for the PDF documents included.
# Production: LINKPLAN_ENV=production (no demo, development users refused), a non-root user,
# the data folder on a volume, and a HEALTHCHECK on GET /health (no token needed).
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY api api
COPY gis gis
COPY planning planning
COPY data data
RUN pip install --no-cache-dir -c constraints.txt . \
 && useradd --system --create-home --uid 10001 linkplan \
 && mkdir -p /data \
 && chown linkplan:linkplan /data
ENV LINKPLAN_ENV=production \
    LINKPLAN_DATA_DIR=/data \
    LINKPLAN_CACHE_DIR=/data/cache
VOLUME ["/data"]
USER linkplan
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["linkplan", "serve", "--host", "0.0.0.0", "--port", "8000"]
