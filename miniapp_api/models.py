"""Every model module, imported once so the metadata (and Alembic) knows every table."""

from .air import models as air_models  # noqa: F401
from .applications import models as application_models  # noqa: F401
from .appointments import models as appointment_models  # noqa: F401
from .citizens import models as citizen_models  # noqa: F401
from .city import models as city_models  # noqa: F401
from .handoff import models as handoff_models  # noqa: F401
from .transit import models as transit_models  # noqa: F401
from .trust import models as trust_models  # noqa: F401
