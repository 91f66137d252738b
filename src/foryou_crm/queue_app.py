"""The job queue's Procrastinate ``App`` for Procrastinate's own CLI, configured by the same
``FORYOU_*`` settings as `serve` and `worker` (PostgreSQL only):

    procrastinate --app=foryou_crm.queue_app.app shell     # list_jobs, list_locks, retry …"""

from foryou_crm.core.config import Settings, ensure_local_secrets
from foryou_crm.services import Services

app = Services.build(ensure_local_secrets(Settings())).queue.app
