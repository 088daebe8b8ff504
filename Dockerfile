FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY queries queries
COPY loaders loaders
COPY api api
COPY data/demo data/demo
RUN pip install --no-cache-dir .
ENV CREDITGRAPH_HOST=0.0.0.0
EXPOSE 8000
CMD ["python", "-m", "api", "serve", "--demo", "--host", "0.0.0.0"]
