# The API and its workers (gunicorn, flask commands). Built from the project root.
FROM python:3.10-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app CITIZEN_LOCALES_DIR=/app/locales FLASK_APP=miniapp_api
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
# What the API and the bot share, installed as a package (not found through PYTHONPATH).
COPY packages/citizen_common packages/citizen_common
RUN pip install --no-cache-dir ./packages/citizen_common
COPY miniapp_api miniapp_api
COPY locales locales
COPY scripts/traditional_catalog.py scripts/
RUN python scripts/traditional_catalog.py && pybabel compile -d locales -D messages
EXPOSE 5000
