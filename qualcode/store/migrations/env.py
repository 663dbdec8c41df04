"""Alembic environment: qualcode always passes an open connection in `config.attributes`."""

import logging

from alembic import context

from qualcode.store.schema import metadata

log = logging.getLogger("qualcode.store.migrations")


def _applied(*, step, **_: object) -> None:
    """One log line per schema step, as it is applied."""
    revision = step.up_revision
    log.info("Schema %s %s -> %s: %s", "upgrade" if step.is_upgrade else "downgrade",
             ", ".join(step.source_revision_ids) or "nothing", ", ".join(step.destination_revision_ids) or "nothing",
             (revision.doc or "").splitlines()[0] if revision is not None else "")


connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, on_version_apply=_applied)
with context.begin_transaction():
    context.run_migrations()
