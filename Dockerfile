# Linkplan API image (used by docker-compose.yml). Chinese font for the PDF documents included.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api api
COPY gis gis
COPY planning planning
COPY data data
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["linkplan", "serve", "--host", "0.0.0.0", "--port", "8000"]
