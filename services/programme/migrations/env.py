from programme.bootstrap import definition
from shared.db.migrations import run_env

run_env(definition.metadata)
