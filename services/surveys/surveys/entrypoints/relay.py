from surveys.bootstrap import definition
from shared.entrypoints import run_relay

if __name__ == "__main__":
    run_relay(definition)
