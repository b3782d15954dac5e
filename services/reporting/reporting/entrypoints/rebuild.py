"""`python -m reporting.entrypoints.rebuild`: rebuild every read model from the beginning of
the topics, with a progress bar. The current dashboards keep serving until the new read
models are complete; then they switch at once. Safe to interrupt: start it again."""
import sys

from reporting.bootstrap import definition
from reporting.service_layer.generations import print_progress, rebuild
from shared.entrypoints import start_runtime, stop_on_signals

if __name__ == "__main__":
    runtime = start_runtime(definition)
    runtime.migrate()
    try:
        generation = rebuild(runtime, progress=print_progress, stop=stop_on_signals())
    except KeyboardInterrupt:
        sys.exit("\nInterrupted: the dashboards still show the previous read models. Start it again.")
    print(f"\nRead models rebuilt: generation {generation} now serves the dashboards.")
