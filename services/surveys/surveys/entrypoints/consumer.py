from surveys.bootstrap import definition
from shared.entrypoints import run_consumers

if __name__ == "__main__":
    run_consumers(definition)
