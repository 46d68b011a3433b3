# Image of the platform: the same `lso` CLI runs the agents, the gateway and the migrations.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LSO_DATA_DIR=/var/lib/lso
WORKDIR /app
COPY pyproject.toml README.md ./
COPY ontology ontology
COPY protocols protocols
COPY agents agents
COPY gateway gateway
COPY store store
COPY common common
COPY cli cli
COPY bench bench
COPY federation federation
COPY ledger ledger
COPY simulation simulation
# /var/lib/lso: the data directory (the XMPP account book, mode 0600); /prosody-accounts: where
# `lso xmpp init-accounts --prosody-accounts` writes the accounts Prosody registers (docker-compose).
RUN pip install --no-cache-dir . && useradd --system --home /var/lib/lso lso \
    && mkdir -p /var/lib/lso /prosody-accounts && chown lso /var/lib/lso /prosody-accounts \
    && chmod 700 /var/lib/lso /prosody-accounts
# The web app (PWA) is static files, served by the gateway at /app/.
COPY webapp webapp
ENV LSO_GATEWAY_WEBAPP_DIR=/app/webapp
USER lso
ENTRYPOINT ["lso"]
CMD ["--help"]
