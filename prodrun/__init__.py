"""Production tooling: the production-like run on one machine (`make prod-run`), the
generated deployment files (`make deploy-files`), and small operator commands."""
