"""The app's models, each kept beside the part it belongs to; Django finds them here."""

from coachroom.integrations.provisioning.models import ScimGroup, ScimPerson, ScimToken
from coachroom.integrations.reporting_api.models import ApiToken
from coachroom.integrations.sso.models import IdentityProvider

__all__ = ["ApiToken", "IdentityProvider", "ScimGroup", "ScimPerson", "ScimToken"]
