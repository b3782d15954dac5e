"""Every service of the platform, in the order they are started."""
from events.bootstrap import definition as events
from partners.bootstrap import definition as partners
from programme.bootstrap import definition as programme
from reporting.bootstrap import definition as reporting
from surveys.bootstrap import definition as surveys

DEFINITIONS = (programme, surveys, events, partners, reporting)
BY_NAME = {definition.name: definition for definition in DEFINITIONS}
