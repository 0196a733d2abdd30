"""`--jobs N`: the flows sharded over worker processes, and the one-pass follow they run.

shards.py runs one worker per shard; flows.py is `flows --jobs` (workers and merge); follow.py is
follow --json's pass (`JsonFollow`, in one process or as a worker) and its worker (`follow_shard`,
`global_ids`). This layer imports capture/, reassembly/, render/ and replay.reality, never cli/
(tests/model/test_imports.py): the commands in cli/ call it, not the other way round.
"""
