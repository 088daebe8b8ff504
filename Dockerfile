FROM python:3.11-slim
WORKDIR /app
# Credit reports as PDF (api/report_page.py): WeasyPrint's Pango and the CJK font the report embeds.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        libharfbuzz-subset0 fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*
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
