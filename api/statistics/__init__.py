"""Statistics over the stored studies, as `/stats/*` serves them: the domain side.

- `fields`: which catalogue fields have value statistics (and of which type), which are lists;
- `contributions`: what one study adds to the statistics, worked out from its parsed document
  once, when it is written (the loader's worker processes do it);
- `figures`: the figures a store keeps, and the registry's JSON items shaped from them;
- `sketches`: the bounded sketches kept for fields with too many distinct values to count.

No database and no HTTP in here: the SQLite store keeps the figures (`api.store.sqlite_stats`),
the stats service shapes its answers from them.
"""
