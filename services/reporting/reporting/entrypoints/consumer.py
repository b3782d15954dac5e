"""`python -m reporting.entrypoints.consumer`: keeps the active read models up to date,
and follows the switch to a rebuilt generation."""
from reporting.bootstrap import definition
from reporting.service_layer.generations import run_live
from shared.entrypoints import start_runtime, stop_on_signals

if __name__ == "__main__":
    runtime = start_runtime(definition)
    run_live(runtime, stop_on_signals())
