"""Events published by the surveys service (topic `surveys.events`)."""
