"""Events published by the events service (topic `events.events`)."""
