"""Mirroring a registry v2 API: `flask --app api sync --from URL` (`api.cli_sync`).

- `client`: the upstream read politely (one HTTP client, a request rate, retries);
- `pages`: one `/studies` answer cut into a unit per study, for the guard;
- `state`: where a sync stands, committed with the data (resuming, the high-water mark);
- `run`: one run: pages stored with their checkpoints, a `--full` run's reconcile.
"""
