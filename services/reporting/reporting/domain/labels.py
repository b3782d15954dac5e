"""Words for the codes the other services' events carry, as the dashboards show them."""
from shared.text import N_

EVENT_KINDS = {"papotage": N_("public chats"), "brise_glace": N_("ice-breaker events"),
               "forum_citoyen": N_("citizen forums"), "atelier": N_("workshops"), "other": N_("other events")}
PARTNER_KINDS = {"association": N_("associations"), "school": N_("schools"), "parish": N_("parishes"),
                 "business": N_("businesses"), "municipal_service": N_("municipal services"),
                 "social_service": N_("social services"), "health": N_("health"), "club": N_("clubs"),
                 "other": N_("other")}
ACTION_STATUSES = {"planned": N_("planned"), "in_progress": N_("in progress"), "done": N_("done"),
                   "abandoned": N_("abandoned")}
