"""Events published by the partners service (topic `partners.events`)."""
