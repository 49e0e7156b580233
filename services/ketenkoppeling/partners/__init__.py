"""Partner notifications: the leerplichtambtenaar, parents and the care team hear about
meldingen, luxeverzuim, MAZL signals and closed dossiers by signed webhook or e-mail.

Flow: an upstream event becomes a `Gebeurtenis`; `maak_notificaties` routes it
(`Routering`) and renders it per role (`Inhoudmaker`) into `Notificatie` aggregates; a
`Bezorger` delivers each through a `WebhookVerzender` or `EmailVerzender` and records
every attempt on the aggregate.
"""

from services.ketenkoppeling.partners.bezorging import (
    Bezorger,
    Bezorgpoging,
    Bezorguitkomst,
    Notificatie,
    NotificatieFout,
    Notificatiestatus,
    maak_notificaties,
    notificatie_id,
)
from services.ketenkoppeling.partners.email import EmailVerzender
from services.ketenkoppeling.partners.gebeurtenis import (
    Gebeurtenis,
    GebeurtenisFout,
    Meldingsoort,
    NotificatieSoort,
)
from services.ketenkoppeling.partners.inhoud import GeenSjabloon, Inhoud, Inhoudmaker
from services.ketenkoppeling.partners.routering import (
    Bestemming,
    Kanaal,
    OnbekendeGemeentecode,
    OnbekendeSchool,
    Rol,
    Routering,
    RouteringConfigFout,
    RouteringFout,
)
from services.ketenkoppeling.partners.settings import (
    PartnerSettings,
    SmtpSettings,
    WebhookSettings,
)
from services.ketenkoppeling.partners.verzending import (
    Poging,
    Resultaat,
    Verzender,
    Verzendopdracht,
    Verzendresultaat,
)
from services.ketenkoppeling.partners.webhook import (
    WebhookFout,
    WebhookVerzender,
    verifieer_webhook,
)

__all__ = [
    "Bestemming",
    "Bezorger",
    "Bezorgpoging",
    "Bezorguitkomst",
    "EmailVerzender",
    "Gebeurtenis",
    "GebeurtenisFout",
    "GeenSjabloon",
    "Inhoud",
    "Inhoudmaker",
    "Kanaal",
    "Meldingsoort",
    "Notificatie",
    "NotificatieFout",
    "NotificatieSoort",
    "Notificatiestatus",
    "OnbekendeGemeentecode",
    "OnbekendeSchool",
    "PartnerSettings",
    "Poging",
    "Resultaat",
    "Rol",
    "Routering",
    "RouteringConfigFout",
    "RouteringFout",
    "SmtpSettings",
    "Verzender",
    "Verzendopdracht",
    "Verzendresultaat",
    "WebhookFout",
    "WebhookSettings",
    "WebhookVerzender",
    "maak_notificaties",
    "notificatie_id",
    "verifieer_webhook",
]
