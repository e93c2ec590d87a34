FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client sshpass \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/opsplan
COPY requirements.txt pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.txt
COPY app ./app
COPY compiler ./compiler
COPY inventory ./inventory
COPY playbook_templates ./playbook_templates
COPY roles ./roles
RUN pip install --no-cache-dir --no-deps -e . && useradd -m opsplan && mkdir -p var && chown opsplan var
USER opsplan
ENV OPSPLAN_VAR_DIR=/srv/opsplan/var
EXPOSE 5000
CMD ["opsplan", "serve", "--host", "0.0.0.0", "--port", "5000"]
