"""The platform's common library: event contracts, messaging, database, HTTP, observability."""
