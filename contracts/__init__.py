"""Contracts shared by every service: topics, the CloudEvents envelope and the
versioned event models. Importing this package registers every event type."""

from contracts import analyse, ketenkoppeling, opvolging, registratie  # noqa: F401
from contracts.envelope import (  # noqa: F401
    CloudEvent,
    ContractError,
    ContractEvent,
    decode,
    encode,
    registered_types,
    wrap,
)
