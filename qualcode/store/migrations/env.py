"""Alembic environment: qualcode always passes an open connection in `config.attributes`."""

import logging
from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo

from qualcode.store.schema import metadata

log = logging.getLogger("qualcode.store.migrations")


def _applied(ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]) -> None:
    """One log line per schema step, as it is applied (alembic's own lines stay out of qualcode's log)."""
    revision = step.up_revision
    log.info(
        "Schema %s %s -> %s: %s",
        "upgrade" if step.is_upgrade else "downgrade",
        ", ".join(step.source_revision_ids) or "nothing",
        ", ".join(step.destination_revision_ids) or "nothing",
        (getattr(revision, "doc", "") or " ").splitlines()[0],
    )  # the migration's docstring


connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, on_version_apply=_applied)
with context.begin_transaction():
    context.run_migrations()
